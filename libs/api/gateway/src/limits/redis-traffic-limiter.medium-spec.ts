import { Redis } from 'ioredis';
import { afterAll, inject } from 'vitest';
import { RedisTrafficLimiter } from './redis-traffic-limiter.js';
import { trafficLimiterContract } from './traffic-limiter.contract.js';

const url = inject('redisUrl');
const redis = url ? new Redis(url) : null;
const prefix = `{tgtest-tl-${process.pid}}:`;
afterAll(async () => {
  if (!redis) return;
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.unlink(...keys);
  await redis.quit();
});

// Runs against the real Redis when REDIS_URL is set (CI sets it); skipped on a bare machine.
trafficLimiterContract('redis', () => new RedisTrafficLimiter(redis!, prefix), redis !== null);
