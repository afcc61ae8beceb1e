/**
 * What both ledger drivers share: input validation, the reserve plan (one entry per distinct
 * counter, in chain order) and the (de)serialisation of reservations and usage events. Keeping it
 * in one place is what makes the Redis and in-process drivers agree to the last µc.
 */
import type {
  ActualLevel,
  ActualUsage,
  CounterSpec,
  LevelCharge,
  OpenReservation,
  QuotaUnit,
  ReserveRequest,
  ReserveResult,
  UsageEvent,
  UsageMeta,
} from '../ledger.types.js';

/** A windowed counter outlives its window by a day, so a late settle still finds it. */
export const WINDOW_GRACE_MS = 86_400_000;
export const DEFAULT_DONE_TTL_SECONDS = 7 * 86_400;

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const MIN_SAFE = BigInt(Number.MIN_SAFE_INTEGER);
const UNITS: readonly QuotaUnit[] = ['CREDITS', 'TOKENS', 'REQUESTS'];
const STATUSES: readonly UsageEvent['status'][] = ['ok', 'client_aborted', 'upstream_failed', 'released', 'reaped'];

/** Position of a unit inside a level's [credits, tokens, requests] triple. */
export function unitSlot(unit: QuotaUnit): number {
  const slot = UNITS.indexOf(unit);
  if (slot < 0) throw new Error(`ledger: unknown quota unit ${String(unit)}`);
  return slot;
}

/** The unit whose amount a reservation slot (levelIndex * 3 + unit slot) refers to. */
export function unitAtSlot(slot: number): QuotaUnit {
  return UNITS[slot % 3]!;
}

export function amountOf(level: ActualLevel, unit: QuotaUnit): bigint {
  return unit === 'CREDITS' ? level.credits : unit === 'TOKENS' ? level.tokens : level.requests;
}

/**
 * Amounts travel through Lua as doubles, which are exact only below 2^53; refusing anything else
 * here keeps "no floating point on the money path" true in practice.
 */
export function assertAmount(value: bigint, what: string): void {
  if (typeof value !== 'bigint') throw new Error(`ledger: ${what} must be a bigint, got ${typeof value}`);
  if (value < 0n || value > MAX_SAFE) throw new Error(`ledger: ${what} must be an integer in [0, 2^53), got ${value}`);
}

function assertLimit(value: bigint | null, what: string): void {
  if (value === null) return;
  if (typeof value !== 'bigint') throw new Error(`ledger: ${what} must be a bigint or null, got ${typeof value}`);
  if (value < MIN_SAFE || value > MAX_SAFE) throw new Error(`ledger: ${what} is outside the safe integer range: ${value}`);
}

function assertTime(value: number | null, what: string): void {
  if (value === null) return;
  if (!Number.isSafeInteger(value)) throw new Error(`ledger: ${what} must be an integer ms timestamp, got ${value}`);
}

/** Counter identity inside a prefix; whitespace is refused because the Redis reservation record is line/space separated. */
export function counterId(ruleId: string, windowId: string): string {
  if (!ruleId || !windowId || /\s/.test(ruleId) || /\s/.test(windowId)) {
    throw new Error(`ledger: ruleId and windowId must be non-empty without whitespace (got ${JSON.stringify(ruleId)}, ${JSON.stringify(windowId)})`);
  }
  return `${ruleId}:${windowId}`;
}

export function assertRequestId(requestId: string): void {
  if (typeof requestId !== 'string' || requestId.length === 0 || /\s/.test(requestId)) {
    throw new Error(`ledger: requestId must be a non-empty string without whitespace, got ${JSON.stringify(requestId)}`);
  }
}

/** When a counter key stops existing: never for LIFETIME, a day after its window otherwise. */
export function counterExpiresAt(windowEndsAt: number | null): number | null {
  return windowEndsAt === null ? null : windowEndsAt + WINDOW_GRACE_MS;
}

/** One distinct counter of a reserve, with everything the request adds to it. */
export interface PlannedCounter {
  id: string;
  /** Sum over every occurrence (the same counter may appear at two levels). */
  amount: bigint;
  /** The strictest limit among its occurrences; null when all are unlimited. */
  limit: bigint | null;
  expiresAt: number | null;
  /** First occurrence in chain order: what a refusal reports. */
  levelIndex: number;
  ruleId: string;
  unit: QuotaUnit;
}

/** One (level, counter) pair: what settle must correct by actual − reserved. */
export interface PlannedOccurrence {
  id: string;
  /** levelIndex * 3 + unit slot: where settle finds the actual amount. */
  slot: number;
  reserved: bigint;
  windowed: boolean;
}

export interface ReservePlan {
  /** Distinct counters ordered by first occurrence, so the first failing one is the first failing in chain order. */
  counters: PlannedCounter[];
  occurrences: PlannedOccurrence[];
}

export function planReserve(req: ReserveRequest): ReservePlan {
  assertRequestId(req.requestId);
  assertTime(req.deadlineAt, 'deadlineAt');
  if (!Array.isArray(req.levels) || req.levels.length === 0) throw new Error('ledger: a reserve needs at least one level');
  const byId = new Map<string, PlannedCounter>();
  const counters: PlannedCounter[] = [];
  const occurrences: PlannedOccurrence[] = [];
  req.levels.forEach((level, levelIndex) => {
    assertAmount(level.credits, `levels[${levelIndex}].credits`);
    assertAmount(level.tokens, `levels[${levelIndex}].tokens`);
    assertAmount(level.requests, `levels[${levelIndex}].requests`);
    for (const spec of level.counters) {
      assertLimit(spec.limit, `limit of rule ${spec.ruleId}`);
      assertTime(spec.windowEndsAt, `windowEndsAt of rule ${spec.ruleId}`);
      const id = counterId(spec.ruleId, spec.windowId);
      const amount = amountOf(level, spec.unit);
      occurrences.push({ id, slot: levelIndex * 3 + unitSlot(spec.unit), reserved: amount, windowed: spec.windowEndsAt !== null });
      const seen = byId.get(id);
      if (seen) {
        seen.amount += amount;
        if (spec.limit !== null && (seen.limit === null || spec.limit < seen.limit)) seen.limit = spec.limit;
        if (seen.amount > MAX_SAFE) throw new Error(`ledger: total amount on counter ${id} exceeds 2^53`);
        continue;
      }
      const planned: PlannedCounter = {
        id,
        amount,
        limit: spec.limit,
        expiresAt: counterExpiresAt(spec.windowEndsAt),
        levelIndex,
        ruleId: spec.ruleId,
        unit: spec.unit,
      };
      byId.set(id, planned);
      counters.push(planned);
    }
  });
  return { counters, occurrences };
}

export function refusal(req: ReserveRequest, counter: PlannedCounter): ReserveResult {
  return { ok: false, levelIndex: counter.levelIndex, accountId: req.levels[counter.levelIndex]!.accountId, ruleId: counter.ruleId, unit: counter.unit };
}

export function validateActual(actual: ActualUsage): void {
  actual.levels.forEach((level, i) => {
    assertAmount(level.credits, `actual.levels[${i}].credits`);
    assertAmount(level.tokens, `actual.levels[${i}].tokens`);
    assertAmount(level.requests, `actual.levels[${i}].requests`);
  });
  assertAmount(actual.inputTokens, 'actual.inputTokens');
  assertAmount(actual.cachedTokens, 'actual.cachedTokens');
  assertAmount(actual.outputTokens, 'actual.outputTokens');
  if (!STATUSES.includes(actual.status)) throw new Error(`ledger: unknown status ${String(actual.status)}`);
}

export function levelCountMismatch(requestId: string, reserved: number, actual: number): Error {
  return new Error(`ledger: settle of ${requestId} has ${actual} levels but ${reserved} were reserved`);
}

export function releasedUsage(levelCount: number): ActualUsage {
  return {
    levels: Array.from({ length: levelCount }, () => ({ credits: 0n, tokens: 0n, requests: 0n })),
    inputTokens: 0n,
    cachedTokens: 0n,
    outputTokens: 0n,
    status: 'released',
  };
}

// ---- JSON shapes (bigint as decimal strings) ------------------------------------------------

type Str<T> = { [K in keyof T]: T[K] extends bigint ? string : T[K] extends bigint | null ? string | null : T[K] };
type CounterJson = Str<CounterSpec>;
type LevelJson = Omit<Str<LevelCharge>, 'counters'> & { counters: CounterJson[] };
export interface ReservationJson {
  requestId: string;
  deadlineAt: number;
  meta: UsageMeta;
  levels: LevelJson[];
}

export function reservationToJson(r: OpenReservation): ReservationJson {
  return {
    requestId: r.requestId,
    deadlineAt: r.deadlineAt,
    meta: r.meta,
    levels: r.levels.map((l) => ({
      accountId: l.accountId,
      credits: l.credits.toString(),
      tokens: l.tokens.toString(),
      requests: l.requests.toString(),
      counters: l.counters.map((c) => ({ ...c, limit: c.limit === null ? null : c.limit.toString() })),
    })),
  };
}

export function reservationFromJson(j: ReservationJson): OpenReservation {
  return {
    requestId: j.requestId,
    deadlineAt: j.deadlineAt,
    meta: j.meta,
    levels: j.levels.map((l) => ({
      accountId: l.accountId,
      credits: BigInt(l.credits),
      tokens: BigInt(l.tokens),
      requests: BigInt(l.requests),
      counters: l.counters.map((c) => ({ ...c, limit: c.limit === null ? null : BigInt(c.limit) })),
    })),
  };
}

/** Copies only the known meta fields, so a caller's extra properties never leak into storage. */
export function cleanMeta(meta: UsageMeta): UsageMeta {
  const out: UsageMeta = { accountId: meta.accountId, model: meta.model };
  if (meta.apiKeyId !== undefined) out.apiKeyId = meta.apiKeyId;
  if (meta.channelId !== undefined) out.channelId = meta.channelId;
  return out;
}

export type UsageEventJson = Omit<Str<UsageEvent>, 'levels'> & { levels: (Str<ActualLevel> & { accountId: string })[] };

export function usageEventToJson(e: UsageEvent): UsageEventJson {
  return {
    requestId: e.requestId,
    meta: e.meta,
    levels: e.levels.map((l) => ({ accountId: l.accountId, credits: l.credits.toString(), tokens: l.tokens.toString(), requests: l.requests.toString() })),
    inputTokens: e.inputTokens.toString(),
    cachedTokens: e.cachedTokens.toString(),
    outputTokens: e.outputTokens.toString(),
    status: e.status,
    settledAt: e.settledAt,
  };
}

export function usageEventFromJson(j: UsageEventJson): UsageEvent {
  return {
    requestId: j.requestId,
    meta: j.meta,
    levels: j.levels.map((l) => ({ accountId: l.accountId, credits: BigInt(l.credits), tokens: BigInt(l.tokens), requests: BigInt(l.requests) })),
    inputTokens: BigInt(j.inputTokens),
    cachedTokens: BigInt(j.cachedTokens),
    outputTokens: BigInt(j.outputTokens),
    status: j.status,
    settledAt: j.settledAt,
  };
}

/** Per-level amounts as they travel in the usage stream: "credits,tokens,requests;…". */
export function decodeLevelAmounts(text: string): ActualLevel[] {
  if (text === '') return [];
  return text.split(';').map((triple) => {
    const [credits, tokens, requests] = triple.split(',');
    return { credits: BigInt(credits!), tokens: BigInt(tokens!), requests: BigInt(requests!) };
  });
}

/**
 * Rebuilds a UsageEvent from a stream entry's flat field list (see SETTLE in redis-ledger.lua.ts
 * for the field names). Throws on a malformed entry, which only a foreign writer can produce.
 */
export function usageEventFromStreamFields(fields: readonly string[]): UsageEvent {
  const f = new Map<string, string>();
  for (let i = 0; i + 1 < fields.length; i += 2) f.set(fields[i]!, fields[i + 1]!);
  const need = (name: string): string => {
    const v = f.get(name);
    if (v === undefined) throw new Error(`ledger: usage stream entry lacks field ${name}`);
    return v;
  };
  const accounts = JSON.parse(need('accounts')) as string[];
  const amounts = decodeLevelAmounts(need('levels'));
  const status = need('status') as UsageEvent['status'];
  if (!STATUSES.includes(status)) throw new Error(`ledger: usage stream entry has unknown status ${status}`);
  return {
    requestId: need('requestId'),
    meta: JSON.parse(need('meta')) as UsageMeta,
    levels: amounts.map((amount, i) => ({ accountId: accounts[i] ?? '', ...amount })),
    inputTokens: BigInt(need('inputTokens')),
    cachedTokens: BigInt(need('cachedTokens')),
    outputTokens: BigInt(need('outputTokens')),
    status,
    settledAt: Number(need('settledAt')),
  };
}
