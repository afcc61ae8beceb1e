import { Redis } from 'ioredis';
import { afterAll, inject } from 'vitest';
import { rateLimiterContract } from './rate-limiter.contract.js';
import { RedisRateLimiter } from './redis-rate-limiter.js';

const url = inject('redisUrl');
const redis = url ? new Redis(url) : null;
afterAll(async () => {
  await redis?.quit();
});

// Runs against the real Redis when REDIS_URL is set (CI sets it); skipped on a bare machine.
rateLimiterContract('redis', () => new RedisRateLimiter(redis!, `{tg}:test:${process.pid}:`), redis !== null);
