import { describe, expect, it } from 'vitest';
import { MINUTE_MS, type LimitScope, type TrafficLimiter } from './traffic-limiter.js';

/** What both limiters promise; each driver's spec runs it. */
export function trafficLimiterContract(name: string, make: () => TrafficLimiter, enabled = true): void {
  describe.skipIf(!enabled)(`TrafficLimiter contract: ${name}`, () => {
    const scope = (rpm: number | null, tpm: number | null): LimitScope => ({ id: `test:${Math.random().toString(36).slice(2)}`, rpm, tpm });
    // The start of a minute, far from any real one, so windows are under the test's control.
    const minuteStart = Math.floor(Date.now() / MINUTE_MS) * MINUTE_MS - 100 * MINUTE_MS;

    it('admits up to the RPM within a minute, then refuses with the scope, the unit and a retry time', async () => {
      const limiter = make();
      const key = scope(3, null);
      for (let i = 0; i < 3; i++) expect(await limiter.admit([key], 10, minuteStart + 1000 * i)).toEqual({ ok: true });
      const refused = await limiter.admit([key], 10, minuteStart + 30_000);
      expect(refused).toMatchObject({ ok: false, scope: key, unit: 'requests', retryAfterSeconds: 30 });
    });

    it('slides: the previous minute counts by the share of it still inside the window', async () => {
      const limiter = make();
      const key = scope(10, null);
      for (let i = 0; i < 10; i++) expect((await limiter.admit([key], 0, minuteStart + 59_000)).ok).toBe(true);
      // 15 s into the next minute, 3/4 of the previous one is still inside: 7 (floor of 7.5) + 0 → room for 3.
      for (let i = 0; i < 3; i++) expect((await limiter.admit([key], 0, minuteStart + MINUTE_MS + 15_000)).ok).toBe(true);
      expect((await limiter.admit([key], 0, minuteStart + MINUTE_MS + 15_000)).ok).toBe(false);
      // Two minutes on, the old counts are gone.
      expect((await limiter.admit([key], 0, minuteStart + 2 * MINUTE_MS + 59_000)).ok).toBe(true);
    });

    it('limits tokens, counting the completion added after the answer', async () => {
      const limiter = make();
      const key = scope(null, 1000);
      expect((await limiter.admit([key], 400, minuteStart)).ok).toBe(true);
      await limiter.addTokens([key], 500, minuteStart + 1);
      expect(await limiter.admit([key], 200, minuteStart + 2)).toMatchObject({ ok: false, unit: 'tokens' });
      expect((await limiter.admit([key], 100, minuteStart + 3)).ok).toBe(true);
    });

    it('counts nothing anywhere when one scope refuses', async () => {
      const limiter = make();
      const roomy = scope(100, null);
      const full = scope(1, null);
      expect((await limiter.admit([full], 0, minuteStart)).ok).toBe(true);
      expect(await limiter.admit([roomy, full], 0, minuteStart + 1)).toMatchObject({ ok: false, scope: full });
      for (let i = 0; i < 100; i++) expect((await limiter.admit([roomy], 0, minuteStart + 2)).ok).toBe(true);
      expect((await limiter.admit([roomy], 0, minuteStart + 3)).ok).toBe(false);
    });

    it('admits exactly the limit under concurrency', async () => {
      const limiter = make();
      const key = scope(25, null);
      const results = await Promise.all(Array.from({ length: 200 }, () => limiter.admit([key], 1, minuteStart + 5)));
      expect(results.filter((r) => r.ok)).toHaveLength(25);
    });
  });
}
