import { RateLimiter, type RateLimitVerdict } from './rate-limiter.js';

/** Single-node driver: timestamps per key, pruned on touch and swept now and then. */
export class InProcessRateLimiter extends RateLimiter {
  private readonly events = new Map<string, number[]>();
  private lastSweep = 0;

  constructor(private readonly now: () => number = Date.now) {
    super();
  }

  async hit(key: string, limit: number, windowSeconds: number): Promise<RateLimitVerdict> {
    const list = this.prune(key, windowSeconds);
    list.push(this.now());
    this.events.set(key, list);
    return this.verdict(list, limit, windowSeconds);
  }

  async peek(key: string, limit: number, windowSeconds: number): Promise<RateLimitVerdict> {
    return this.verdict(this.prune(key, windowSeconds), limit, windowSeconds);
  }

  async reset(key: string): Promise<void> {
    this.events.delete(key);
  }

  private prune(key: string, windowSeconds: number): number[] {
    const now = this.now();
    const horizon = now - windowSeconds * 1000;
    if (now - this.lastSweep > 60_000) this.sweep(horizon);
    const list = (this.events.get(key) ?? []).filter((t) => t > horizon);
    if (list.length === 0) this.events.delete(key);
    return list;
  }

  /** Drops keys nobody touched for a window, so memory follows live traffic only. */
  private sweep(horizon: number): void {
    this.lastSweep = this.now();
    for (const [key, list] of this.events) if ((list.at(-1) ?? 0) <= horizon) this.events.delete(key);
  }

  private verdict(list: number[], limit: number, windowSeconds: number): RateLimitVerdict {
    const count = list.length;
    const oldest = list[0] ?? this.now();
    const retryAfterSeconds = Math.max(1, Math.ceil((oldest + windowSeconds * 1000 - this.now()) / 1000));
    return { allowed: count <= limit, count, retryAfterSeconds };
  }
}
