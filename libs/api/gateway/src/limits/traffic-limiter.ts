/**
 * Requests and tokens per minute (DESIGN §5: RPM/TPM per key and per account). Each scope (a
 * key, or an account of the caller's chain with limits set) has a sliding one-minute window,
 * estimated from two fixed minutes: the previous minute's count weighted by how much of it is
 * still inside the window, plus the current minute's. Redis across replicas, in-process on a
 * single node; one contract spec for both.
 *
 * Tokens are admitted on the prompt (known before the call) and the completion is added after
 * the answer, so the window holds what was really used without reserving max_tokens up front.
 */
export interface LimitScope {
  /** Stable id of what is limited, e.g. `key:<id>` or `account:<id>`. */
  id: string;
  /** null = no limit of that unit. */
  rpm: number | null;
  tpm: number | null;
}

export type Admission = { ok: true } | { ok: false; scope: LimitScope; unit: 'requests' | 'tokens'; retryAfterSeconds: number };

export abstract class TrafficLimiter {
  /** Counts one request and `tokens` against every scope if all of them have room; otherwise counts nothing. */
  abstract admit(scopes: readonly LimitScope[], tokens: number, now?: number): Promise<Admission>;
  /** Adds tokens used after admission (the completion) to every scope's current minute. */
  abstract addTokens(scopes: readonly LimitScope[], tokens: number, now?: number): Promise<void>;
}

export const MINUTE_MS = 60_000;

/** The window estimate from the previous and the current minute's counts. */
export function windowEstimate(previous: number, current: number, msIntoMinute: number): number {
  return Math.floor((previous * (MINUTE_MS - msIntoMinute)) / MINUTE_MS) + current;
}
