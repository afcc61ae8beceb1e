import { describe, expect, it } from 'vitest';
import type { RateLimiter } from './rate-limiter.js';

/** The behaviour both drivers promise; each driver's spec runs it. */
export function rateLimiterContract(name: string, make: () => RateLimiter, enabled = true): void {
  describe.skipIf(!enabled)(`RateLimiter contract: ${name}`, () => {
    const key = () => `test:${Math.random().toString(36).slice(2)}`;

    it('allows up to the limit within the window, then refuses with a retry time', async () => {
      const limiter = make();
      const k = key();
      for (let i = 1; i <= 3; i++) expect(await limiter.hit(k, 3, 60)).toMatchObject({ allowed: true, count: i });
      const fourth = await limiter.hit(k, 3, 60);
      expect(fourth.allowed).toBe(false);
      expect(fourth.retryAfterSeconds).toBeGreaterThan(0);
      expect(fourth.retryAfterSeconds).toBeLessThanOrEqual(60);
    });

    it('peeks without counting and forgets on reset', async () => {
      const limiter = make();
      const k = key();
      await limiter.hit(k, 2, 60);
      expect(await limiter.peek(k, 2, 60)).toMatchObject({ allowed: true, count: 1 });
      expect(await limiter.peek(k, 2, 60)).toMatchObject({ count: 1 });
      await limiter.reset(k);
      expect(await limiter.peek(k, 2, 60)).toMatchObject({ count: 0 });
    });

    it('counts concurrent hits exactly', async () => {
      const limiter = make();
      const k = key();
      const verdicts = await Promise.all(Array.from({ length: 50 }, () => limiter.hit(k, 20, 60)));
      expect(verdicts.filter((v) => v.allowed)).toHaveLength(20);
    });

    it('lets events leave the window', async () => {
      const limiter = make();
      const k = key();
      await limiter.hit(k, 1, 1);
      expect((await limiter.hit(k, 1, 1)).allowed).toBe(false);
      await new Promise((r) => setTimeout(r, 1100));
      expect((await limiter.peek(k, 1, 1)).count).toBe(0);
    });
  });
}
