import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import {
  LedgerDriver,
  type ActualUsage,
  type CounterSpec,
  type CounterValue,
  type OpenReservation,
  type ReserveRequest,
  type ReserveResult,
  type SettleOutcome,
  type StreamEntry,
  type UsageEvent,
} from '../ledger.types.js';
import {
  DEFAULT_DONE_TTL_SECONDS,
  amountOf,
  assertAmount,
  assertRequestId,
  cleanMeta,
  counterExpiresAt,
  counterId,
  levelCountMismatch,
  planReserve,
  refusal,
  releasedUsage,
  reservationFromJson,
  reservationToJson,
  usageEventFromJson,
  usageEventToJson,
  validateActual,
  unitAtSlot,
  type PlannedOccurrence,
  type ReservationJson,
  type UsageEventJson,
} from './ledger-codec.js';

export interface InProcessLedgerOptions {
  /** Where the journal lives; without it the ledger is memory-only and forgets everything on exit. */
  journalDir?: string;
  /** Clock for windows, deadlines, done markers and event timestamps (tests move it by hand). */
  now?: () => number;
  /** How long a settled request id is remembered. */
  doneTtlMs?: number;
  /** Journal lines after which it is rewritten with the live state only (once it is also twice the live state). */
  compactAfterLines?: number;
}

interface Counter {
  used: bigint;
  expiresAt: number | null;
}

interface HeldReservation {
  reservation: OpenReservation;
  occurrences: PlannedOccurrence[];
}

interface StreamItem {
  id: string;
  event: UsageEvent;
  /** The consumer it was delivered to and that has not acked it yet; null = not delivered. */
  owner: string | null;
}

/**
 * Journal records, one JSON object per line. Mutations ('open', 'settle', 'ack', 'replace') are
 * written before they are applied and replayed through the same apply functions, each at its own
 * recorded instant; so counters are journaled for free (they follow from the records) and a
 * restart restores exactly the state the process had. A compaction rewrites the file as a
 * snapshot ('counter', 'held', 'done', 'event', 'lastId') that sets state without side effects.
 */
type JournalRecord =
  | { t: 'open'; at: number; r: ReservationJson }
  | { t: 'settle'; at: number; sid: string; doneUntil: number; ev: UsageEventJson }
  | { t: 'ack'; ids: string[] }
  | { t: 'replace'; at: number; values: { id: string; used: string; expiresAt: number | null }[] }
  | { t: 'counter'; id: string; used: string; expiresAt: number | null }
  | { t: 'held'; r: ReservationJson }
  | { t: 'done'; id: string; until: number }
  | { t: 'event'; sid: string; ev: UsageEventJson }
  | { t: 'lastId'; sid: string };

const JOURNAL_FILE = 'ledger.journal.jsonl';
const DEFAULT_COMPACT_AFTER_LINES = 50_000;
const SWEEP_EVERY_MS = 60_000;

/**
 * The single-node ledger (DESIGN §9) with the Redis driver's semantics. Node runs one callback at
 * a time, so every check-and-act below is synchronous — no await between the check and the
 * change — which is what makes it atomic.
 *
 * Durability: with a journalDir, each mutation is written (write(2), no fsync) before it is
 * applied, so a crashed process loses nothing; a power cut may lose the last writes. One live
 * process per journal directory: a second instance takes the journal over (it compacts it on
 * start), and what the first one writes after that is lost.
 */
export class InProcessLedgerDriver extends LedgerDriver {
  private readonly counters = new Map<string, Counter>();
  private readonly reservations = new Map<string, HeldReservation>();
  private readonly done = new Map<string, number>();
  /** Every un-acked event by stream id, in id order. */
  private readonly items = new Map<string, StreamItem>();
  /** Events not yet delivered to any consumer, in id order. */
  private readonly undelivered = new Map<string, StreamItem>();
  private readonly pendingByConsumer = new Map<string, Map<string, StreamItem>>();
  private readonly waiters = new Set<() => void>();
  private lastIdMs = 0;
  private lastIdSeq = 0;
  private lastSweep = 0;
  private closed = false;

  private readonly now: () => number;
  private readonly doneTtlMs: number;
  private readonly journalPath: string | null;
  private readonly compactAfterLines: number;
  private journalFd: number | null = null;
  private journalLines = 0;

  constructor(opts: InProcessLedgerOptions = {}) {
    super();
    this.now = opts.now ?? Date.now;
    this.doneTtlMs = opts.doneTtlMs ?? DEFAULT_DONE_TTL_SECONDS * 1000;
    this.compactAfterLines = opts.compactAfterLines ?? DEFAULT_COMPACT_AFTER_LINES;
    this.journalPath = opts.journalDir ? join(opts.journalDir, JOURNAL_FILE) : null;
    if (opts.journalDir && this.journalPath) {
      mkdirSync(opts.journalDir, { recursive: true });
      if (existsSync(this.journalPath)) this.replay(readFileSync(this.journalPath, 'utf8'));
      // Starting from a fresh snapshot also drops a half-written last line left by a crash.
      this.compact();
    }
  }

  // ---- LedgerDriver ---------------------------------------------------------------------------

  async reserve(req: ReserveRequest): Promise<ReserveResult> {
    const plan = planReserve(req);
    const at = this.now();
    if (this.reservations.has(req.requestId) || this.isDone(req.requestId, at)) return { ok: true, duplicate: true };
    for (const c of plan.counters) {
      if (c.limit !== null && (this.liveCounter(c.id, at)?.used ?? 0n) + c.amount > c.limit) return refusal(req, c);
    }
    const reservation: OpenReservation = { requestId: req.requestId, deadlineAt: req.deadlineAt, levels: req.levels, meta: cleanMeta(req.meta) };
    this.commit({ t: 'open', at, r: reservationToJson(reservation) });
    return { ok: true, duplicate: false };
  }

  async settle(requestId: string, actual: ActualUsage): Promise<SettleOutcome> {
    assertRequestId(requestId);
    validateActual(actual);
    return this.settleNow(requestId, actual);
  }

  async release(requestId: string): Promise<SettleOutcome> {
    assertRequestId(requestId);
    const held = this.reservations.get(requestId);
    return this.settleNow(requestId, releasedUsage(held ? held.reservation.levels.length : 0));
  }

  async used(counters: Pick<CounterSpec, 'ruleId' | 'windowId'>[]): Promise<bigint[]> {
    const at = this.now();
    return counters.map((c) => this.liveCounter(counterId(c.ruleId, c.windowId), at)?.used ?? 0n);
  }

  async expired(now: number, limit: number): Promise<OpenReservation[]> {
    if (limit <= 0) return [];
    const due: OpenReservation[] = [];
    for (const held of this.reservations.values()) if (held.reservation.deadlineAt <= now) due.push(held.reservation);
    due.sort((a, b) => a.deadlineAt - b.deadlineAt || (a.requestId < b.requestId ? -1 : a.requestId > b.requestId ? 1 : 0));
    return due.slice(0, limit).map((r) => structuredClone(r));
  }

  async replaceCounters(values: CounterValue[]): Promise<void> {
    const rows = values.map((v) => {
      assertAmount(v.used, `used of ${v.ruleId}:${v.windowId}`);
      return { id: counterId(v.ruleId, v.windowId), used: v.used.toString(), expiresAt: counterExpiresAt(v.windowEndsAt) };
    });
    this.commit({ t: 'replace', at: this.now(), values: rows });
  }

  async isEmpty(): Promise<boolean> {
    const at = this.now();
    for (const id of [...this.counters.keys()]) if (this.liveCounter(id, at)) return false;
    return this.reservations.size === 0 && this.items.size === 0;
  }

  async readEvents(consumer: string, count: number, blockMs: number): Promise<StreamEntry[]> {
    const max = Math.max(1, count);
    // Entries delivered to this consumer earlier but never acked (it crashed) come first.
    const pending = [...(this.pendingByConsumer.get(consumer)?.values() ?? [])].slice(0, max);
    if (pending.length > 0) return pending.map(toEntry);
    const until = Date.now() + Math.max(0, blockMs);
    let fresh = this.deliver(consumer, max);
    while (fresh.length === 0 && !this.closed) {
      const remaining = until - Date.now();
      if (remaining <= 0) break;
      await this.waitForAppend(remaining);
      fresh = this.deliver(consumer, max);
    }
    return fresh.map(toEntry);
  }

  async ack(ids: string[]): Promise<void> {
    const known = ids.filter((id) => this.items.has(id));
    if (known.length > 0) this.commit({ t: 'ack', ids: known });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const wake of [...this.waiters]) wake();
    if (this.journalFd !== null) {
      closeSync(this.journalFd);
      this.journalFd = null;
    }
  }

  // ---- decisions (live path only) -------------------------------------------------------------

  private settleNow(requestId: string, actual: ActualUsage): SettleOutcome {
    const at = this.now();
    const held = this.reservations.get(requestId);
    if (!held) return this.isDone(requestId, at) ? 'already_settled' : 'unknown';
    const { reservation } = held;
    if (actual.levels.length !== reservation.levels.length) throw levelCountMismatch(requestId, reservation.levels.length, actual.levels.length);
    const event: UsageEvent = {
      requestId,
      meta: reservation.meta,
      levels: actual.levels.map((l, i) => ({ accountId: reservation.levels[i]!.accountId, credits: l.credits, tokens: l.tokens, requests: l.requests })),
      inputTokens: actual.inputTokens,
      cachedTokens: actual.cachedTokens,
      outputTokens: actual.outputTokens,
      status: actual.status,
      settledAt: at,
    };
    this.commit({ t: 'settle', at, sid: this.nextStreamId(at), doneUntil: at + this.doneTtlMs, ev: usageEventToJson(event) });
    return 'settled';
  }

  /** Journal first, then apply: a failed write (disk full) leaves the ledger unchanged. */
  private commit(record: JournalRecord): void {
    if (this.closed) throw new Error('InProcessLedgerDriver: closed');
    this.writeJournal(record);
    this.apply(record);
    if (this.journalFd !== null && this.journalLines > this.compactAfterLines && this.journalLines > 2 * this.liveObjectCount()) this.compact();
  }

  // ---- state changes (live path and replay) ---------------------------------------------------

  private apply(record: JournalRecord): void {
    switch (record.t) {
      case 'open':
        return this.applyOpen(record.r, record.at);
      case 'settle':
        return this.applySettle(record);
      case 'ack':
        for (const id of record.ids) this.dropItem(id);
        return;
      case 'replace':
        this.counters.clear();
        this.reservations.clear();
        this.done.clear();
        for (const v of record.values) {
          if (v.expiresAt === null || v.expiresAt > record.at) this.counters.set(v.id, { used: BigInt(v.used), expiresAt: v.expiresAt });
        }
        return;
      case 'counter':
        this.counters.set(record.id, { used: BigInt(record.used), expiresAt: record.expiresAt });
        return;
      case 'held': {
        const reservation = reservationFromJson(record.r);
        this.reservations.set(reservation.requestId, { reservation, occurrences: planReserve(reservation).occurrences });
        return;
      }
      case 'done':
        this.done.set(record.id, record.until);
        return;
      case 'event':
        this.appendItem(record.sid, usageEventFromJson(record.ev));
        return;
      case 'lastId':
        this.bumpLastId(record.sid);
        return;
    }
  }

  private applyOpen(json: ReservationJson, at: number): void {
    const reservation = reservationFromJson(json);
    const plan = planReserve(reservation);
    for (const c of plan.counters) {
      if (c.amount === 0n) continue;
      const counter = this.liveCounter(c.id, at);
      if (counter) counter.used += c.amount;
      // Like PEXPIREAT in the past on Redis: a counter whose window is long over is not kept.
      else if (c.expiresAt === null || c.expiresAt > at) this.counters.set(c.id, { used: c.amount, expiresAt: c.expiresAt });
    }
    this.reservations.set(reservation.requestId, { reservation, occurrences: plan.occurrences });
  }

  private applySettle(record: Extract<JournalRecord, { t: 'settle' }>): void {
    const event = usageEventFromJson(record.ev);
    const held = this.reservations.get(event.requestId);
    if (held) {
      for (const o of held.occurrences) {
        const level = event.levels[Math.floor(o.slot / 3)]!;
        const delta = amountOf(level, unitAtSlot(o.slot)) - o.reserved;
        if (delta === 0n) continue;
        const counter = this.liveCounter(o.id, record.at);
        if (counter) counter.used += delta;
        // An expired window is not recreated; a LIFETIME counter is (INCRBY on Redis does the same).
        else if (!o.windowed) this.counters.set(o.id, { used: delta, expiresAt: null });
      }
      this.reservations.delete(event.requestId);
    }
    this.done.set(event.requestId, record.doneUntil);
    this.appendItem(record.sid, event);
  }

  private appendItem(sid: string, event: UsageEvent): void {
    const item: StreamItem = { id: sid, event, owner: null };
    this.items.set(sid, item);
    this.undelivered.set(sid, item);
    this.bumpLastId(sid);
    for (const wake of [...this.waiters]) wake();
  }

  private dropItem(id: string): void {
    const item = this.items.get(id);
    if (!item) return;
    this.items.delete(id);
    this.undelivered.delete(id);
    if (item.owner !== null) this.pendingByConsumer.get(item.owner)?.delete(id);
  }

  // ---- helpers --------------------------------------------------------------------------------

  /** The counter, unless its window (plus grace) is over — then it is gone, as an expired Redis key. */
  private liveCounter(id: string, at: number): Counter | undefined {
    const counter = this.counters.get(id);
    if (counter && counter.expiresAt !== null && counter.expiresAt <= at) {
      this.counters.delete(id);
      return undefined;
    }
    return counter;
  }

  private isDone(requestId: string, at: number): boolean {
    if (at - this.lastSweep > SWEEP_EVERY_MS) {
      this.lastSweep = at;
      for (const [id, until] of this.done) if (until <= at) this.done.delete(id);
    }
    const until = this.done.get(requestId);
    return until !== undefined && until > at;
  }

  private deliver(consumer: string, max: number): StreamItem[] {
    const taken: StreamItem[] = [];
    for (const item of this.undelivered.values()) {
      if (taken.length >= max) break;
      taken.push(item);
    }
    if (taken.length === 0) return taken;
    let pending = this.pendingByConsumer.get(consumer);
    if (!pending) this.pendingByConsumer.set(consumer, (pending = new Map()));
    for (const item of taken) {
      this.undelivered.delete(item.id);
      item.owner = consumer;
      pending.set(item.id, item);
    }
    return taken;
  }

  private waitForAppend(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        this.waiters.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.waiters.add(wake);
    });
  }

  /** Redis-style "<ms>-<seq>" ids, strictly increasing even when the clock stands still or steps back. */
  private nextStreamId(at: number): string {
    return at > this.lastIdMs ? `${at}-0` : `${this.lastIdMs}-${this.lastIdSeq + 1}`;
  }

  private bumpLastId(sid: string): void {
    const [ms, seq] = sid.split('-').map(Number) as [number, number];
    if (ms > this.lastIdMs || (ms === this.lastIdMs && seq > this.lastIdSeq)) {
      this.lastIdMs = ms;
      this.lastIdSeq = seq;
    }
  }

  private liveObjectCount(): number {
    return this.counters.size + this.reservations.size + this.done.size + this.items.size + 1;
  }

  // ---- journal --------------------------------------------------------------------------------

  private writeJournal(record: JournalRecord): void {
    if (this.journalFd === null) return;
    writeSync(this.journalFd, `${JSON.stringify(record)}\n`);
    this.journalLines++;
  }

  private replay(text: string): void {
    for (const line of text.split('\n')) {
      if (!line) continue;
      let record: JournalRecord;
      try {
        record = JSON.parse(line) as JournalRecord;
      } catch {
        continue; // only the last line can be torn (crash mid-write); it was never acknowledged to a caller
      }
      this.apply(record);
    }
  }

  /** Rewrites the journal as a snapshot of the live state (write a temp file, fsync, rename). */
  private compact(): void {
    if (!this.journalPath) return;
    const at = this.now();
    const lines: string[] = [];
    const push = (record: JournalRecord): void => {
      lines.push(JSON.stringify(record));
    };
    for (const [id, c] of this.counters) if (c.expiresAt === null || c.expiresAt > at) push({ t: 'counter', id, used: c.used.toString(), expiresAt: c.expiresAt });
    for (const held of this.reservations.values()) push({ t: 'held', r: reservationToJson(held.reservation) });
    for (const [id, until] of this.done) if (until > at) push({ t: 'done', id, until });
    for (const item of this.items.values()) push({ t: 'event', sid: item.id, ev: usageEventToJson(item.event) });
    push({ t: 'lastId', sid: `${this.lastIdMs}-${this.lastIdSeq}` });
    const tmp = `${this.journalPath}.tmp`;
    const fd = openSync(tmp, 'w');
    try {
      writeSync(fd, lines.length > 0 ? `${lines.join('\n')}\n` : '');
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    if (this.journalFd !== null) closeSync(this.journalFd);
    renameSync(tmp, this.journalPath);
    this.journalFd = openSync(this.journalPath, 'a');
    this.journalLines = lines.length;
  }
}

function toEntry(item: StreamItem): StreamEntry {
  return { id: item.id, event: structuredClone(item.event) };
}
