import type { Redis } from 'ioredis';
import {
  LedgerDriver,
  type ActualUsage,
  type CounterSpec,
  type CounterValue,
  type LevelCharge,
  type OpenReservation,
  type ReserveRequest,
  type ReserveResult,
  type SettleOutcome,
  type StreamEntry,
  type UsageMeta,
} from '../ledger.types.js';
import {
  DEFAULT_DONE_TTL_SECONDS,
  assertAmount,
  assertRequestId,
  cleanMeta,
  counterExpiresAt,
  counterId,
  levelCountMismatch,
  releasedUsage,
  unitAtSlot,
  usageEventFromStreamFields,
  validateActual,
} from './ledger-codec.js';
import { ACK_LUA, RESERVE_LUA, SETTLE_LUA } from './redis-ledger.lua.js';

export interface RedisLedgerOptions {
  /** Starts every key; keep one hash tag in it (default '{tg}') so the scripts are legal on Redis Cluster. */
  prefix?: string;
  /** How long a settled request id is remembered, so a late duplicate settle or reserve is a no-op. */
  doneTtlSeconds?: number;
  /** Consumer group of the usage stream. */
  group?: string;
  /**
   * Connections reserve and settle are spread over (default 1: only `redis`). ioredis keeps one
   * auto-pipeline in flight per connection, so with one, Node and Redis take turns; the extra
   * ones are duplicates of `redis`, opened and closed by the driver.
   */
  connections?: number;
}

type ScriptArg = string | Buffer;

/** The scripts as ioredis exposes them after defineCommand (EVALSHA, EVAL on NOSCRIPT). */
interface LedgerScripts {
  tgLedgerReserve(...keysAndArgs: ScriptArg[]): Promise<number>;
  tgLedgerSettle(...keysAndArgs: ScriptArg[]): Promise<number>;
  tgLedgerAck(...keysAndArgs: string[]): Promise<number>;
}

const SCAN_BATCH = 1000;
const KEY_CACHE_LIMIT = 100_000;
const MAX_SAFE_BIGINT = BigInt(Number.MAX_SAFE_INTEGER);

interface CounterKey {
  text: string;
  /** The key as a MessagePack string, ready to copy into a payload. */
  packed: Buffer;
  /** reserveSerial of the last reserve that listed it, and its index among that reserve's distinct counters. */
  mark: number;
  index: number;
}
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
 * blocking stream reads (a BLOCKing XREADGROUP would stall every reserve queued behind it), and
 * `connections - 1` more that reserve and settle take turns on.
 */
export class RedisLedgerDriver extends LedgerDriver {
  private readonly prefix: string;
  private readonly doneTtlText: string;
  private readonly counterKeyPrefix: string;
  private readonly group: string;
  /** One per connection; reserve and settle take them round-robin. */
  private readonly scripts: LedgerScripts[];
  private readonly extraConnections: Redis[];
  private nextScripts = 0;
  private readonly deadlinesKey: string;
  private readonly streamKey: string;
  /** Reused for every message: the scripts' MessagePack payloads are built here, then copied out. */
  private readonly pack = new PackWriter();
  /** Validated, pre-encoded counter keys by ruleId, then windowId (see keyOf). */
  private readonly keys = new Map<string, Map<string, CounterKey>>();
  private cachedKeys = 0;
  /** Numbers reserve calls, so keyOf's entries can tell "already seen in this request" without a Set. */
  private reserveSerial = 0;
  private reader: Redis | null = null;
  private groupReady: Promise<void> | null = null;

  constructor(
    private readonly redis: Redis,
    opts: RedisLedgerOptions = {},
  ) {
    super();
    if (redis.options.keyPrefix) {
      // Counter keys travel inside the scripts' payloads, where ioredis cannot prefix them.
      throw new Error('RedisLedgerDriver: use opts.prefix instead of the ioredis keyPrefix option');
    }
    this.prefix = opts.prefix ?? '{tg}';
    this.counterKeyPrefix = `${this.prefix}:c:`;
    const doneTtlSeconds = opts.doneTtlSeconds ?? DEFAULT_DONE_TTL_SECONDS;
    if (!Number.isSafeInteger(doneTtlSeconds) || doneTtlSeconds <= 0) throw new Error('RedisLedgerDriver: doneTtlSeconds must be a positive integer');
    this.doneTtlText = String(doneTtlSeconds);
    this.group = opts.group ?? 'persister';
    this.deadlinesKey = `${this.prefix}:deadlines`;
    this.streamKey = `${this.prefix}:usage`;
    const connections = opts.connections ?? 1;
    if (!Number.isSafeInteger(connections) || connections < 1) throw new Error('RedisLedgerDriver: connections must be a positive integer');
    this.extraConnections = Array.from({ length: connections - 1 }, () => this.ownConnection());
    this.scripts = [redis, ...this.extraConnections].map((client) => {
      client.defineCommand('tgLedgerReserve', { lua: RESERVE_LUA, numberOfKeys: 3 });
      client.defineCommand('tgLedgerSettle', { lua: SETTLE_LUA, numberOfKeys: 4 });
      client.defineCommand('tgLedgerAck', { lua: ACK_LUA, numberOfKeys: 1 });
      return client as unknown as LedgerScripts;
    });
  }

  /**
   * A connection of the driver's own. Its errors (Redis down: the same as the shared client's)
   * go to the shared client's listeners, where the app logs them; a command on it fails anyway.
   */
  private ownConnection(): Redis {
    const client = this.redis.duplicate();
    client.on('error', (err: Error) => {
      if (this.redis.listenerCount('error') > 0) this.redis.emit('error', err);
    });
    return client;
  }

  private counterKey(id: string): string {
    return this.counterKeyPrefix + id;
  }

  private reservationKey(requestId: string): string {
    return `${this.prefix}:r:${requestId}`;
  }

  private doneKey(requestId: string): string {
    return `${this.prefix}:d:${requestId}`;
  }

  async reserve(req: ReserveRequest): Promise<ReserveResult> {
    assertRequestId(req.requestId);
    if (!Number.isSafeInteger(req.deadlineAt)) throw new Error(`ledger: deadlineAt must be an integer ms timestamp, got ${req.deadlineAt}`);
    const levels = req.levels;
    if (!Array.isArray(levels) || levels.length === 0) throw new Error('ledger: a reserve needs at least one level');

    // Distinct counters in order of first appearance (what the script checks and numbers), and
    // every (level, counter) occurrence (what settle corrects). Built in one pass: this runs on every AI request.
    const mark = ++this.reserveSerial;
    const distinct: CounterKey[] = [];
    const amounts: bigint[] = [];
    const limits: (bigint | null)[] = [];
    const expiresAt: (number | null)[] = [];
    const firstLevel: number[] = [];
    const firstSpec: CounterSpec[] = [];
    /** (index in distinct, slot) pairs. */
    const occurrences: number[] = [];
    const accounts: string[] = [];
    let detail = `[${req.deadlineAt}`;
    for (let li = 0; li < levels.length; li++) {
      const level = levels[li]!;
      assertAmount(level.credits, `levels[${li}].credits`);
      assertAmount(level.tokens, `levels[${li}].tokens`);
      assertAmount(level.requests, `levels[${li}].requests`);
      accounts.push(level.accountId);
      for (const spec of level.counters) {
        const key = this.keyOf(spec.ruleId, spec.windowId);
        const unit = unitSlotOf(spec);
        const amount = unit === 0 ? level.credits : unit === 1 ? level.tokens : level.requests;
        const limit = spec.limit;
        if (limit !== null && (typeof limit !== 'bigint' || limit > MAX_SAFE_BIGINT || limit < -MAX_SAFE_BIGINT)) {
          throw new Error(`ledger: limit of rule ${spec.ruleId} must be a safe integer bigint or null`);
        }
        let index: number;
        if (key.mark === mark) {
          index = key.index;
          amounts[index] = amounts[index]! + amount;
          if (amounts[index]! > MAX_SAFE_BIGINT) throw new Error(`ledger: total amount on counter ${key.text} exceeds 2^53`);
          if (limit !== null && (limits[index] === null || limit < limits[index]!)) limits[index] = limit;
        } else {
          const windowEndsAt = spec.windowEndsAt;
          if (windowEndsAt !== null && (!Number.isSafeInteger(windowEndsAt) || windowEndsAt <= 0)) {
            throw new Error(`ledger: windowEndsAt of rule ${spec.ruleId} must be a positive ms timestamp`);
          }
          key.mark = mark;
          index = key.index = distinct.length;
          distinct.push(key);
          amounts.push(amount);
          limits.push(limit);
          expiresAt.push(counterExpiresAt(windowEndsAt));
          firstLevel.push(li);
          firstSpec.push(spec);
        }
        occurrences.push(index, li * 3 + unit + 1);
        detail += `,${limit === null ? 'null' : limit},${spec.ruleId.length},${spec.windowEndsAt ?? 'null'}`;
      }
    }

    const n = distinct.length;
    const pack = this.pack.reset().array(4 * n);
    for (const key of distinct) pack.raw(key.packed);
    for (const amount of amounts) pack.num(Number(amount));
    for (let i = 0; i < n; i++) {
      const limit = limits[i]!;
      if (limit === null) pack.bool(false);
      else pack.num(Number(limit - amounts[i]! < MIN_MAX_USED ? MIN_MAX_USED : limit - amounts[i]!));
    }
    for (const expireAt of expiresAt) {
      if (expireAt === null) pack.bool(false);
      else pack.num(expireAt);
    }
    const check = pack.take();

    pack.reset().str(JSON.stringify(cleanMeta(req.meta))).str(JSON.stringify(accounts));
    pack.array(3 * levels.length);
    for (const l of levels) pack.num(Number(l.credits)).num(Number(l.tokens)).num(Number(l.requests));
    pack.array((occurrences.length / 2) * 3);
    for (let k = 0; k < occurrences.length; k += 2) {
      const index = occurrences[k]!;
      pack.raw(distinct[index]!.packed).num(occurrences[k + 1]!).bool(expiresAt[index] !== null);
    }
    pack.str(`${detail}]`);
    const record = pack.take();

    const verdict = await this.call('reserve', [this.reservationKey(req.requestId), this.doneKey(req.requestId)], [req.requestId, String(req.deadlineAt), check, record]);
    if (verdict === 0) return { ok: true, duplicate: false };
    if (verdict === -1) return { ok: true, duplicate: true };
    const levelIndex = firstLevel[verdict - 1]!;
    const spec = firstSpec[verdict - 1]!;
    return { ok: false, levelIndex, accountId: levels[levelIndex]!.accountId, ruleId: spec.ruleId, unit: spec.unit };
  }

  /**
   * The counter's key, validated and pre-encoded once per (ruleId, windowId): a relay sees the
   * same few thousand counters over and over. Cleared wholesale when it grows past a bound, so
   * windows that rolled over do not accumulate.
   */
  private keyOf(ruleId: string, windowId: string): CounterKey {
    let byWindow = this.keys.get(ruleId);
    const cached = byWindow?.get(windowId);
    if (cached) return cached;
    const text = this.counterKeyPrefix + counterId(ruleId, windowId);
    const key: CounterKey = { text, packed: new PackWriter().str(text).take(), mark: 0, index: 0 };
    if (++this.cachedKeys > KEY_CACHE_LIMIT) {
      this.keys.clear();
      this.cachedKeys = 1;
      byWindow = undefined;
    }
    if (!byWindow) this.keys.set(ruleId, (byWindow = new Map()));
    byWindow.set(windowId, key);
    return key;
  }

  async settle(requestId: string, actual: ActualUsage): Promise<SettleOutcome> {
    assertRequestId(requestId);
    validateActual(actual);
    const pack = this.pack.reset().array(3 * actual.levels.length);
    let levelsText = '';
    for (let i = 0; i < actual.levels.length; i++) {
      const l = actual.levels[i]!;
      pack.num(Number(l.credits)).num(Number(l.tokens)).num(Number(l.requests));
      levelsText += `${i === 0 ? '' : ';'}${l.credits},${l.tokens},${l.requests}`;
    }
    return this.runSettle(requestId, actual, levelsText, String(actual.levels.length), pack.take());
  }

  /** One script call: the script writes the zero levels itself, since only it knows the level count. */
  async release(requestId: string): Promise<SettleOutcome> {
    assertRequestId(requestId);
    return this.runSettle(requestId, releasedUsage(0), '', '*', '');
  }

  private async runSettle(requestId: string, actual: ActualUsage, levelsText: string, levelCount: string, actualPack: ScriptArg): Promise<SettleOutcome> {
    const outcome = await this.call(
      'settle',
      [this.reservationKey(requestId), this.doneKey(requestId)],
      [
        requestId,
        this.doneTtlText,
        String(Date.now()),
        actual.status,
        actual.inputTokens.toString(),
        actual.cachedTokens.toString(),
        actual.outputTokens.toString(),
        levelsText,
        levelCount,
        actualPack,
      ],
    );
    if (outcome === 0) return 'settled';
    if (outcome === 1) return 'already_settled';
    if (outcome === 2) return 'unknown';
    const open = await this.readReservation(requestId);
    throw levelCountMismatch(requestId, open?.levels.length ?? 0, actual.levels.length);
  }

  private call(kind: 'reserve' | 'settle', keys: [string, string], args: ScriptArg[]): Promise<number> {
    const scripts = this.scripts[this.nextScripts++ % this.scripts.length]!;
    return kind === 'reserve'
      ? scripts.tgLedgerReserve(...keys, this.deadlinesKey, ...args)
      : scripts.tgLedgerSettle(...keys, this.deadlinesKey, this.streamKey, ...args);
  }

  private async readReservation(requestId: string): Promise<OpenReservation | null> {
    const record = await this.redis.getBuffer(this.reservationKey(requestId));
    return record === null ? null : this.decodeRecord(requestId, record);
  }

  /** Rebuilds the reservation from its record (layout at settle() in redis-ledger.lua.ts). */
  private decodeRecord(requestId: string, record: Buffer): OpenReservation {
    const reader = new PackReader(record);
    const meta = JSON.parse(reader.str()) as UsageMeta;
    const accounts = JSON.parse(reader.str()) as string[];
    const reserved = reader.values().map(Number);
    const occurrences = reader.values();
    // [deadlineAt, then per occurrence: limit, ruleId length, windowEndsAt]
    const detail = JSON.parse(reader.str()) as (number | null)[];
    const levels: LevelCharge[] = accounts.map((accountId, i) => ({
      accountId,
      credits: BigInt(reserved[3 * i]!),
      tokens: BigInt(reserved[3 * i + 1]!),
      requests: BigInt(reserved[3 * i + 2]!),
      counters: [],
    }));
    for (let j = 0; 3 * j < occurrences.length; j++) {
      const id = String(occurrences[3 * j]).slice(this.counterKeyPrefix.length);
      const slot = Number(occurrences[3 * j + 1]) - 1;
      const limit = detail[1 + 3 * j];
      const ruleIdEnd = Number(detail[2 + 3 * j]);
      levels[Math.floor(slot / 3)]!.counters.push({
        ruleId: id.slice(0, ruleIdEnd),
        unit: unitAtSlot(slot),
        limit: limit === null || limit === undefined ? null : BigInt(limit),
        windowId: id.slice(ruleIdEnd + 1),
        windowEndsAt: detail[3 + 3 * j] ?? null,
      });
    }
    return { requestId, deadlineAt: Number(detail[0]), levels, meta };
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
    const records = await this.redis.mgetBuffer(ids.map((id) => this.reservationKey(id)));
    const out: OpenReservation[] = [];
    records.forEach((record, i) => {
      // A missing record means it was settled between the two reads: no longer open.
      if (record !== null) out.push(this.decodeRecord(ids[i]!, record));
    });
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
      this.reader ??= this.ownConnection();
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
    await this.scripts[0]!.tgLedgerAck(this.streamKey, this.group, ...ids);
  }

  async close(): Promise<void> {
    const reader = this.reader;
    this.reader = null;
    // disconnect, not quit: a reader may be parked in a BLOCK that quit would wait for.
    reader?.disconnect();
    await Promise.all(this.extraConnections.splice(0).map((client) => client.quit().catch(() => undefined)));
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


/** maxUsed below -2^53 refuses exactly like -2^53 (used is never negative); keeps it a safe double. */
const MIN_MAX_USED = -BigInt(Number.MAX_SAFE_INTEGER);

function unitSlotOf(spec: CounterSpec): number {
  return spec.unit === 'CREDITS' ? 0 : spec.unit === 'TOKENS' ? 1 : 2;
}

/**
 * Just enough MessagePack for the scripts' payloads: arrays, strings, booleans, and numbers as
 * float64 (every one is an integer below 2^53, which a double holds exactly — and cmsgpack hands
 * a float64 to Lua as a number without any conversion).
 */
class PackWriter {
  private buf = Buffer.allocUnsafe(16 * 1024);
  private at = 0;

  reset(): this {
    this.at = 0;
    return this;
  }

  private room(bytes: number): void {
    if (this.at + bytes <= this.buf.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.at + bytes));
    this.buf.copy(bigger, 0, 0, this.at);
    this.buf = bigger;
  }

  array(length: number): this {
    this.room(5);
    if (length < 16) {
      this.buf[this.at++] = 0x90 | length;
    } else if (length < 0x10000) {
      this.buf[this.at] = 0xdc;
      this.at = this.buf.writeUInt16BE(length, this.at + 1);
    } else {
      this.buf[this.at] = 0xdd;
      this.at = this.buf.writeUInt32BE(length, this.at + 1);
    }
    return this;
  }

  str(s: string): this {
    const bytes = Buffer.byteLength(s);
    this.room(bytes + 5);
    if (bytes < 32) {
      this.buf[this.at++] = 0xa0 | bytes;
    } else if (bytes < 0x100) {
      this.buf[this.at++] = 0xd9;
      this.buf[this.at++] = bytes;
    } else if (bytes < 0x10000) {
      this.buf[this.at] = 0xda;
      this.at = this.buf.writeUInt16BE(bytes, this.at + 1);
    } else {
      this.buf[this.at] = 0xdb;
      this.at = this.buf.writeUInt32BE(bytes, this.at + 1);
    }
    this.at += this.buf.write(s, this.at);
    return this;
  }

  num(n: number): this {
    this.room(9);
    this.buf[this.at] = 0xcb;
    this.buf.writeDoubleBE(n, this.at + 1);
    this.at += 9;
    return this;
  }

  /** A string known to be ASCII (decimal digits): no UTF-8 encoder needed. */
  ascii(s: string): this {
    const bytes = s.length;
    if (bytes >= 32) return this.str(s);
    this.room(bytes + 1);
    const buf = this.buf;
    let at = this.at;
    buf[at++] = 0xa0 | bytes;
    for (let i = 0; i < bytes; i++) buf[at++] = s.charCodeAt(i);
    this.at = at;
    return this;
  }

  /** Bytes that are already MessagePack. */
  raw(bytes: Buffer): this {
    this.room(bytes.length);
    const buf = this.buf;
    let at = this.at;
    for (let i = 0; i < bytes.length; i++) buf[at++] = bytes[i]!;
    this.at = at;
    return this;
  }

  bool(b: boolean): this {
    this.room(1);
    this.buf[this.at++] = b ? 0xc3 : 0xc2;
    return this;
  }

  /** A copy of what was written: the buffer is reused for the next message. */
  take(): Buffer {
    return Buffer.from(this.buf.subarray(0, this.at));
  }
}

type PackValue = string | number | boolean | null;

/** Reads back what PackWriter writes (and what cmsgpack writes for the same kinds of values). */
class PackReader {
  private at = 0;

  constructor(private readonly buf: Buffer) {}

  private arrayLength(): number {
    const tag = this.buf[this.at++]!;
    if (tag >= 0x90 && tag <= 0x9f) return tag & 0x0f;
    if (tag === 0xdc) {
      this.at += 2;
      return this.buf.readUInt16BE(this.at - 2);
    }
    if (tag === 0xdd) {
      this.at += 4;
      return this.buf.readUInt32BE(this.at - 4);
    }
    throw new Error(`ledger: unexpected MessagePack tag 0x${tag.toString(16)} where an array belongs`);
  }

  value(): PackValue {
    const tag = this.buf[this.at++]!;
    if (tag <= 0x7f) return tag;
    if (tag === 0xc0) return null;
    if (tag === 0xc2 || tag === 0xc3) return tag === 0xc3;
    if (tag === 0xcb) {
      this.at += 8;
      return this.buf.readDoubleBE(this.at - 8);
    }
    let size: number;
    if (tag >= 0xa0 && tag <= 0xbf) {
      size = tag & 0x1f;
    } else if (tag === 0xd9) {
      size = this.buf[this.at++]!;
    } else if (tag === 0xda) {
      size = this.buf.readUInt16BE(this.at);
      this.at += 2;
    } else if (tag === 0xdb) {
      size = this.buf.readUInt32BE(this.at);
      this.at += 4;
    } else {
      throw new Error(`ledger: unexpected MessagePack tag 0x${tag.toString(16)} in a reservation record`);
    }
    this.at += size;
    return this.buf.toString('utf8', this.at - size, this.at);
  }

  str(): string {
    const v = this.value();
    if (typeof v !== 'string') throw new Error('ledger: malformed reservation record (string expected)');
    return v;
  }

  values(): PackValue[] {
    return Array.from({ length: this.arrayLength() }, () => this.value());
  }

  numbers(): number[] {
    return this.values().map(Number);
  }
}
