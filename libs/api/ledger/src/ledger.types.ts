/**
 * The ledger's contract (DESIGN §4). Amounts are integers: credits in µc as bigint, tokens and
 * requests as bigint too, so nothing on the money path is a float.
 */
export type QuotaUnit = 'CREDITS' | 'REQUESTS' | 'TOKENS';

/** One counter the request touches: a rule of an account (or key, or channel) in its current window. */
export interface CounterSpec {
  ruleId: string;
  unit: QuotaUnit;
  /** null = unlimited (still counted, never refused). */
  limit: bigint | null;
  /** Identifies the window the counter belongs to ('life' for LIFETIME); part of the counter key. */
  windowId: string;
  /** When the window ends (ms since epoch), so its counter can expire; null for LIFETIME. */
  windowEndsAt: number | null;
}

/** What one level of the chain is charged, and the counters it is checked against. */
export interface LevelCharge {
  accountId: string;
  credits: bigint;
  tokens: bigint;
  requests: bigint;
  counters: CounterSpec[];
}

/** Facts about the request carried into the usage event. */
export interface UsageMeta {
  /** The account that made the request (the chain's first level). */
  accountId: string;
  apiKeyId?: string;
  channelId?: string;
  model: string;
}

export interface ReserveRequest {
  requestId: string;
  /** Caller first, root last. */
  levels: LevelCharge[];
  /** After this instant (ms since epoch) the reaper may finish the reservation. */
  deadlineAt: number;
  meta: UsageMeta;
}

export type ReserveResult =
  | { ok: true; duplicate: boolean }
  | { ok: false; levelIndex: number; accountId: string; ruleId: string; unit: QuotaUnit };

export interface ActualLevel {
  credits: bigint;
  tokens: bigint;
  requests: bigint;
}

export interface ActualUsage {
  /** Same order and length as the reserved levels. */
  levels: ActualLevel[];
  inputTokens: bigint;
  cachedTokens: bigint;
  outputTokens: bigint;
  status: 'ok' | 'client_aborted' | 'upstream_failed' | 'released' | 'reaped';
}

export type SettleOutcome = 'settled' | 'already_settled' | 'unknown';

/** One settled request, as written to the usage stream in the same atomic step as the counters. */
export interface UsageEvent {
  requestId: string;
  meta: UsageMeta;
  levels: (ActualLevel & { accountId: string })[];
  inputTokens: bigint;
  cachedTokens: bigint;
  outputTokens: bigint;
  status: ActualUsage['status'];
  settledAt: number;
}

export interface StreamEntry {
  /** Stream id, used to ack. */
  id: string;
  event: UsageEvent;
}

export interface OpenReservation {
  requestId: string;
  deadlineAt: number;
  levels: LevelCharge[];
  meta: UsageMeta;
}

/** A counter's value as rebuilt from Postgres. */
export interface CounterValue {
  ruleId: string;
  windowId: string;
  windowEndsAt: number | null;
  used: bigint;
}

export abstract class LedgerDriver {
  /** Check every counter of every level and, only if all fit, increment them all — one atomic step. */
  abstract reserve(req: ReserveRequest): Promise<ReserveResult>;
  /** Adjust every counter by actual − reserved, drop the reservation, append the usage event. Idempotent. */
  abstract settle(requestId: string, actual: ActualUsage): Promise<SettleOutcome>;
  /** settle with zero actual. */
  abstract release(requestId: string): Promise<SettleOutcome>;
  /** Current used value of each counter (0 when it has none yet). */
  abstract used(counters: Pick<CounterSpec, 'ruleId' | 'windowId'>[]): Promise<bigint[]>;
  /** Reservations whose deadline is at or before `now`. */
  abstract expired(now: number, limit: number): Promise<OpenReservation[]>;
  /** Replace every counter with the given values and drop all open reservations (rebuild from Postgres). */
  abstract replaceCounters(values: CounterValue[]): Promise<void>;
  /** True when the ledger holds no state at all (a fresh or flushed Redis). */
  abstract isEmpty(): Promise<boolean>;
  /** Usage events not yet acknowledged by this consumer group, oldest first. */
  abstract readEvents(consumer: string, count: number, blockMs: number): Promise<StreamEntry[]>;
  abstract ack(ids: string[]): Promise<void>;
  abstract close(): Promise<void>;
}
