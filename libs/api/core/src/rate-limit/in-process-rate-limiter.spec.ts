import { describe, expect, it } from 'vitest';
import { InProcessRateLimiter } from './in-process-rate-limiter.js';
import { rateLimiterContract } from './rate-limiter.contract.js';

rateLimiterContract('in-process', () => new InProcessRateLimiter());

describe('InProcessRateLimiter', () => {
  it('slides the window with the clock and forgets idle keys', async () => {
    let now = 1_000_000;
    const limiter = new InProcessRateLimiter(() => now);
    await limiter.hit('k', 2, 10);
    now += 5_000;
    await limiter.hit('k', 2, 10);
    expect((await limiter.hit('k', 2, 10)).allowed).toBe(false);
    now += 5_001; // the first event left the window
    expect((await limiter.peek('k', 2, 10)).count).toBe(2);
    now += 120_000;
    await limiter.peek('other', 1, 10); // triggers the sweep
    expect((await limiter.peek('k', 2, 10)).count).toBe(0);
  });
});
