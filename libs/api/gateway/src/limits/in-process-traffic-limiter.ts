import { type Admission, type LimitScope, MINUTE_MS, TrafficLimiter, windowEstimate } from './traffic-limiter.js';

interface Minute {
  requests: number;
  tokens: number;
}

/** The single-node limiter: two minutes per scope in memory; the check and the count are one synchronous step. */
export class InProcessTrafficLimiter extends TrafficLimiter {
  private readonly minutes = new Map<string, Minute>();
  private sweptAt = -1;

  async admit(scopes: readonly LimitScope[], tokens: number, now = Date.now()): Promise<Admission> {
    const minute = Math.floor(now / MINUTE_MS);
    const into = now - minute * MINUTE_MS;
    this.sweep(minute);
    for (const scope of scopes) {
      const previous = this.minutes.get(`${scope.id}:${minute - 1}`);
      const current = this.minutes.get(`${scope.id}:${minute}`);
      const retryAfterSeconds = Math.ceil((MINUTE_MS - into) / 1000);
      if (scope.rpm !== null && windowEstimate(previous?.requests ?? 0, current?.requests ?? 0, into) + 1 > scope.rpm) {
        return { ok: false, scope, unit: 'requests', retryAfterSeconds };
      }
      if (scope.tpm !== null && windowEstimate(previous?.tokens ?? 0, current?.tokens ?? 0, into) + tokens > scope.tpm) {
        return { ok: false, scope, unit: 'tokens', retryAfterSeconds };
      }
    }
    for (const scope of scopes) this.add(`${scope.id}:${minute}`, 1, tokens);
    return { ok: true };
  }

  async addTokens(scopes: readonly LimitScope[], tokens: number, now = Date.now()): Promise<void> {
    const minute = Math.floor(now / MINUTE_MS);
    for (const scope of scopes) this.add(`${scope.id}:${minute}`, 0, tokens);
  }

  private add(key: string, requests: number, tokens: number): void {
    const m = this.minutes.get(key);
    if (m) {
      m.requests += requests;
      m.tokens += tokens;
    } else this.minutes.set(key, { requests, tokens });
  }

  /** Once a minute, forget minutes that can no longer be part of a window. */
  private sweep(minute: number): void {
    if (minute === this.sweptAt) return;
    this.sweptAt = minute;
    for (const key of this.minutes.keys()) {
      if (Number(key.slice(key.lastIndexOf(':') + 1)) < minute - 1) this.minutes.delete(key);
    }
  }
}
