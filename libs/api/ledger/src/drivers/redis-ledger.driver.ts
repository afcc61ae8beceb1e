import type { Redis } from 'ioredis';
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
} from '../ledger.types.js';
import {
  DEFAULT_DONE_TTL_SECONDS,
  assertAmount,
  assertRequestId,
  cleanMeta,
  counterExpiresAt,
  counterId,
  encodeActualLevels,
  levelCountMismatch,
  planReserve,
  refusal,
  releasedUsage,
  reservationFromJson,
  reservationToJson,
  usageEventFromStreamFields,
  validateActual,
  type ReservationJson,
} from './ledger-codec.js';
import { ACK_LUA, RESERVE_LUA, SETTLE_LUA } from './redis-ledger.lua.js';

export interface RedisLedgerOptions {
  /** Starts every key; keep one hash tag in it (default '{tg}') so the scripts are legal on Redis Cluster. */
  prefix?: string;
  /** How long a settled request id is remembered, so a late duplicate settle or reserve is a no-op. */
  doneTtlSeconds?: number;
  /** Consumer group of the usage stream. */
  group?: string;
}

/** The scripts as ioredis exposes them after defineCommand (EVALSHA, EVAL on NOSCRIPT). */
interface LedgerScripts {
  tgLedgerReserve(numKeys: number, ...keysAndArgs: string[]): Promise<number>;
  tgLedgerSettle(...keysAndArgs: string[]): Promise<number>;
  tgLedgerAck(...keysAndArgs: string[]): Promise<number>;
}

const SCAN_BATCH = 1000;
const UNLINK_BATCH = 500;

/** Redis glob metacharacters in the prefix must not act as wildcards in SCAN MATCH. */
function globEscape(s: string): string {
  return s.replace(/[*?[\]\\]/g, (c) => `\\${c}`);
}

/**
 * The production ledger: hot counters in Redis, every reserve and settle a single Lua call.
 * Key layout under the prefix p: counters p:c:<ruleId>:<windowId>, reservations p:r:<requestId>,
 * deadlines p:deadlines, done markers p:d:<requestId>, usage stream p:usage.
 *
 * The driver does not own `redis` and never closes it; it opens one duplicate connection for
 * blocking stream reads (a BLOCKing XREADGROUP would stall every reserve queued behind it).
 */
export class RedisLedgerDriver extends LedgerDriver {
  private readonly prefix: string;
  private readonly doneTtlSeconds: number;
  private readonly group: string;
  private readonly scripts: LedgerScripts;
  private readonly deadlinesKey: string;
  private readonly streamKey: string;
  private reader: Redis | null = null;
  private groupReady: Promise<void> | null = null;

  constructor(
    private readonly redis: Redis,
    opts: RedisLedgerOptions = {},
  ) {
    super();
    if (redis.options.keyPrefix) {
      // The settle script reads counter keys out of the reservation record, where ioredis cannot prefix them.
      throw new Error('RedisLedgerDriver: use opts.prefix instead of the ioredis keyPrefix option');
    }
    this.prefix = opts.prefix ?? '{tg}';
    this.doneTtlSeconds = opts.doneTtlSeconds ?? DEFAULT_DONE_TTL_SECONDS;
    if (!Number.isSafeInteger(this.doneTtlSeconds) || this.doneTtlSeconds <= 0) throw new Error('RedisLedgerDriver: doneTtlSeconds must be a positive integer');
    this.group = opts.group ?? 'persister';
    this.deadlinesKey = `${this.prefix}:deadlines`;
    this.streamKey = `${this.prefix}:usage`;
    redis.defineCommand('tgLedgerReserve', { lua: RESERVE_LUA });
    redis.defineCommand('tgLedgerSettle', { lua: SETTLE_LUA, numberOfKeys: 4 });
    redis.defineCommand('tgLedgerAck', { lua: ACK_LUA, numberOfKeys: 1 });
    this.scripts = redis as unknown as LedgerScripts;
  }

  private counterKey(id: string): string {
    return `${this.prefix}:c:${id}`;
  }

  private reservationKey(requestId: string): string {
    return `${this.prefix}:r:${requestId}`;
  }

  private doneKey(requestId: string): string {
    return `${this.prefix}:d:${requestId}`;
  }

  async reserve(req: ReserveRequest): Promise<ReserveResult> {
    const plan = planReserve(req);
    const reservation = reservationToJson({ requestId: req.requestId, deadlineAt: req.deadlineAt, levels: req.levels, meta: cleanMeta(req.meta) });
    const occurrenceLines = plan.occurrences.map((o) => `${o.slot} ${o.reserved} ${o.windowed ? 1 : 0} ${this.counterKey(o.id)}`);
    const record = [
      JSON.stringify(reservation.meta),
      JSON.stringify(req.levels.map((l) => l.accountId)),
      JSON.stringify(reservation),
      String(req.levels.length),
      ...occurrenceLines,
    ].join('\n');
    const keys = [this.reservationKey(req.requestId), this.doneKey(req.requestId), this.deadlinesKey];
    const args = [req.requestId, String(req.deadlineAt), record];
    for (const c of plan.counters) {
      keys.push(this.counterKey(c.id));
      args.push(c.amount.toString(), c.limit === null ? '' : c.limit.toString(), c.expiresAt === null ? '' : String(c.expiresAt));
    }
    const verdict = await this.scripts.tgLedgerReserve(keys.length, ...keys, ...args);
    if (verdict === 0) return { ok: true, duplicate: false };
    if (verdict === -1) return { ok: true, duplicate: true };
    return refusal(req, plan.counters[verdict - 1]!);
  }

  async settle(requestId: string, actual: ActualUsage): Promise<SettleOutcome> {
    assertRequestId(requestId);
    validateActual(actual);
    const amounts: string[] = [];
    for (const l of actual.levels) amounts.push(l.credits.toString(), l.tokens.toString(), l.requests.toString());
    return this.runSettle(requestId, actual, encodeActualLevels(actual.levels), String(actual.levels.length), amounts);
  }

  /** One script call: the script itself writes the zero levels, since only it knows the level count. */
  async release(requestId: string): Promise<SettleOutcome> {
    assertRequestId(requestId);
    return this.runSettle(requestId, releasedUsage(0), '', '*', []);
  }

  private async runSettle(requestId: string, actual: ActualUsage, levelsJson: string, levelCount: string, amounts: string[]): Promise<SettleOutcome> {
    const outcome = await this.scripts.tgLedgerSettle(
      this.reservationKey(requestId),
      this.doneKey(requestId),
      this.deadlinesKey,
      this.streamKey,
      requestId,
      String(this.doneTtlSeconds),
      String(Date.now()),
      actual.status,
      actual.inputTokens.toString(),
      actual.cachedTokens.toString(),
      actual.outputTokens.toString(),
      levelsJson,
      levelCount,
      ...amounts,
    );
    if (outcome === 0) return 'settled';
    if (outcome === 1) return 'already_settled';
    if (outcome === 2) return 'unknown';
    const record = await this.redis.get(this.reservationKey(requestId));
    throw levelCountMismatch(requestId, record === null ? 0 : Number(record.split('\n', 4)[3]), actual.levels.length);
  }

  async used(counters: Pick<CounterSpec, 'ruleId' | 'windowId'>[]): Promise<bigint[]> {
    if (counters.length === 0) return [];
    const values = await this.redis.mget(counters.map((c) => this.counterKey(counterId(c.ruleId, c.windowId))));
    return values.map((v) => (v === null ? 0n : BigInt(v)));
  }

  async expired(now: number, limit: number): Promise<OpenReservation[]> {
    if (limit <= 0) return [];
    const ids = await this.redis.zrangebyscore(this.deadlinesKey, '-inf', String(now), 'LIMIT', 0, limit);
    if (ids.length === 0) return [];
    const records = await this.redis.mget(ids.map((id) => this.reservationKey(id)));
    const out: OpenReservation[] = [];
    for (const record of records) {
      // A missing record means it was settled between the two reads: no longer open.
      if (record === null) continue;
      out.push(reservationFromJson(JSON.parse(record.split('\n', 3)[2]!) as ReservationJson));
    }
    return out;
  }

  async replaceCounters(values: CounterValue[]): Promise<void> {
    const rows = values.map((v) => {
      assertAmount(v.used, `used of ${v.ruleId}:${v.windowId}`);
      return { key: this.counterKey(counterId(v.ruleId, v.windowId)), used: v.used.toString(), expiresAt: counterExpiresAt(v.windowEndsAt) };
    });
    await this.unlinkMatching(`${globEscape(this.prefix)}:[crd]:*`);
    await this.redis.unlink(this.deadlinesKey);
    const now = Date.now();
    for (let i = 0; i < rows.length; i += UNLINK_BATCH) {
      const pipeline = this.redis.pipeline();
      for (const row of rows.slice(i, i + UNLINK_BATCH)) {
        if (row.expiresAt === null) pipeline.set(row.key, row.used);
        // A window that ended over a day ago has nothing left to enforce.
        else if (row.expiresAt > now) pipeline.set(row.key, row.used, 'PXAT', row.expiresAt);
      }
      const results = await pipeline.exec();
      const failed = results?.find(([err]) => err);
      if (failed) throw failed[0];
    }
  }

  private async unlinkMatching(pattern: string): Promise<void> {
    let cursor = '0';
    do {
      const [next, keys] = await this.redis.scan(cursor, 'MATCH', pattern, 'COUNT', SCAN_BATCH);
      cursor = next;
      for (let i = 0; i < keys.length; i += UNLINK_BATCH) await this.redis.unlink(...keys.slice(i, i + UNLINK_BATCH));
    } while (cursor !== '0');
  }

  async isEmpty(): Promise<boolean> {
    const [streamLength, openCount] = await Promise.all([this.redis.xlen(this.streamKey), this.redis.zcard(this.deadlinesKey)]);
    if (streamLength > 0 || openCount > 0) return false;
    const pattern = `${globEscape(this.prefix)}:[cr]:*`;
    let cursor = '0';
    do {
      const [next, keys] = await this.redis.scan(cursor, 'MATCH', pattern, 'COUNT', SCAN_BATCH);
      if (keys.length > 0) return false;
      cursor = next;
    } while (cursor !== '0');
    return true;
  }

  async readEvents(consumer: string, count: number, blockMs: number): Promise<StreamEntry[]> {
    await this.ensureGroup();
    // Entries delivered to this consumer earlier but never acked (it crashed) come first.
    const pending = await this.xreadgroup(this.redis, consumer, count, null, '0');
    if (pending.length > 0) return pending;
    if (blockMs > 0) {
      this.reader ??= this.redis.duplicate();
      return this.xreadgroup(this.reader, consumer, count, blockMs, '>');
    }
    return this.xreadgroup(this.redis, consumer, count, null, '>');
  }

  private ensureGroup(): Promise<void> {
    this.groupReady ??= this.redis
      .xgroup('CREATE', this.streamKey, this.group, '0', 'MKSTREAM')
      .then(
        () => undefined,
        (err: Error) => {
          if (!err.message.includes('BUSYGROUP')) {
            this.groupReady = null;
            throw err;
          }
        },
      );
    return this.groupReady;
  }

  private async xreadgroup(client: Redis, consumer: string, count: number, blockMs: number | null, from: '0' | '>'): Promise<StreamEntry[]> {
    const args: (string | number)[] = ['GROUP', this.group, consumer, 'COUNT', Math.max(1, count)];
    if (blockMs !== null) args.push('BLOCK', blockMs);
    args.push('STREAMS', this.streamKey, from);
    let reply: unknown;
    try {
      reply = await client.call('XREADGROUP', ...args);
    } catch (err) {
      // The stream or group vanished (FLUSHALL, manual delete): recreate once and report nothing this round.
      if (err instanceof Error && err.message.includes('NOGROUP')) {
        this.groupReady = null;
        await this.ensureGroup();
        return [];
      }
      throw err;
    }
    const entries: StreamEntry[] = [];
    const stale: string[] = [];
    for (const [id, fields] of streamItems(reply)) {
      // An id whose entry was deleted but never acked (cannot happen through ack()) is dropped from the PEL.
      if (fields === null) stale.push(id);
      else entries.push({ id, event: usageEventFromStreamFields(fields) });
    }
    if (stale.length > 0) await this.redis.xack(this.streamKey, this.group, ...stale);
    return entries;
  }

  async ack(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.scripts.tgLedgerAck(this.streamKey, this.group, ...ids);
  }

  async close(): Promise<void> {
    const reader = this.reader;
    this.reader = null;
    // disconnect, not quit: a reader may be parked in a BLOCK that quit would wait for.
    reader?.disconnect();
  }
}

/**
 * The items of an XREADGROUP reply on one stream, whatever shape the connection returns it in:
 * RESP2 `[[key, items]]`, RESP3 map as pairs or a plain object (ioredis replyMapping), or null.
 */
function streamItems(reply: unknown): [string, string[] | null][] {
  if (reply === null || reply === undefined) return [];
  let streams: unknown[];
  if (Array.isArray(reply)) streams = reply.length > 0 && !Array.isArray(reply[0]) ? [[reply[0], reply[1]]] : reply;
  else if (reply instanceof Map) streams = [...reply.entries()];
  else streams = Object.entries(reply as Record<string, unknown>);
  const items: [string, string[] | null][] = [];
  for (const stream of streams) {
    const list = (stream as [unknown, unknown])[1];
    if (!Array.isArray(list)) continue;
    for (const item of list as [unknown, unknown][]) {
      const fields = item[1];
      items.push([String(item[0]), Array.isArray(fields) ? fields.map(String) : null]);
    }
  }
  return items;
}
