import type { Redis } from 'ioredis';
import { randomBytes } from 'node:crypto';
import { RateLimiter, type RateLimitVerdict } from './rate-limiter.js';

// One sorted set per key, scored by time in ms; prune, optionally add, count — atomically.
const SLIDING_WINDOW = `
local key = KEYS[1]
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local add = ARGV[3]
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
if add ~= '' then
  redis.call('ZADD', key, now, add)
  redis.call('PEXPIRE', key, window)
end
local count = redis.call('ZCARD', key)
local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
local first = now
if oldest[2] then first = tonumber(oldest[2]) end
return {count, first}
`;

/** Cluster-safe: every key carries the installation's hash tag. */
export class RedisRateLimiter extends RateLimiter {
  constructor(
    private readonly redis: Redis,
    private readonly prefix = '{tg}:rl:',
  ) {
    super();
    redis.defineCommand('tgSlidingWindow', { numberOfKeys: 1, lua: SLIDING_WINDOW });
  }

  hit(key: string, limit: number, windowSeconds: number): Promise<RateLimitVerdict> {
    return this.run(key, limit, windowSeconds, `${Date.now()}-${randomBytes(6).toString('hex')}`);
  }

  peek(key: string, limit: number, windowSeconds: number): Promise<RateLimitVerdict> {
    return this.run(key, limit, windowSeconds, '');
  }

  async reset(key: string): Promise<void> {
    await this.redis.del(this.prefix + key);
  }

  private async run(key: string, limit: number, windowSeconds: number, member: string): Promise<RateLimitVerdict> {
    const now = Date.now();
    const windowMs = windowSeconds * 1000;
    const script = (this.redis as unknown as Record<string, (...args: unknown[]) => Promise<[number, number]>>)['tgSlidingWindow'];
    const [count, first] = await script.call(this.redis, this.prefix + key, now, windowMs, member);
    const retryAfterSeconds = Math.max(1, Math.ceil((first + windowMs - now) / 1000));
    return { allowed: count <= limit, count, retryAfterSeconds };
  }
}
