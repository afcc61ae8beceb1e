/**
 * A sliding-window counter: `hit` records one event for `key` and says whether the
 * count within the window is still within `limit`. Redis-backed across replicas,
 * in-process on a single node; both pass the same contract spec.
 */
export interface RateLimitVerdict {
  allowed: boolean;
  count: number;
  /** Seconds until the oldest counted event leaves the window. */
  retryAfterSeconds: number;
}

export abstract class RateLimiter {
  /** Counts an event and judges it (the event counts even when refused, so hammering does not help). */
  abstract hit(key: string, limit: number, windowSeconds: number): Promise<RateLimitVerdict>;
  /** Judges without counting. */
  abstract peek(key: string, limit: number, windowSeconds: number): Promise<RateLimitVerdict>;
  /** Forgets a key (a successful login clears its username's failures). */
  abstract reset(key: string): Promise<void>;
}
