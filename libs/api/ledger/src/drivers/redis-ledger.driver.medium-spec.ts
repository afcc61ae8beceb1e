import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { actual, ledgerDriverContract, level, request, rule } from './ledger-driver.contract.js';
import { RedisLedgerDriver } from './redis-ledger.driver.js';

const url = inject('redisUrl');
const redis = url ? new Redis(url) : null;
// One hash tag for the whole file; each driver gets its own sub-prefix so tests never share state.
const filePrefix = `{tgtest-${randomBytes(4).toString('hex')}}`;
let drivers = 0;
const nextPrefix = () => `${filePrefix}:${++drivers}`;

afterAll(async () => {
  if (!redis) return;
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${filePrefix}*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) await redis.unlink(...keys);
  } while (cursor !== '0');
  await redis.quit();
});

// Runs against the real Redis when REDIS_URL is set (CI sets it); skipped on a bare machine.
ledgerDriverContract('redis', async () => new RedisLedgerDriver(redis!, { prefix: nextPrefix() }), redis !== null);
// The same contract with reserve and settle spread over several connections, as production runs it.
ledgerDriverContract('redis, 3 connections', async () => new RedisLedgerDriver(redis!, { prefix: nextPrefix(), connections: 3 }), redis !== null);

describe.skipIf(redis === null)('RedisLedgerDriver specifics', () => {
  it('keeps every key under the prefix, windowed counters expiring a day after their window', async () => {
    const prefix = nextPrefix();
    const ledger = new RedisLedgerDriver(redis!, { prefix, doneTtlSeconds: 60 });
    const end = Date.now() + 3_600_000;
    const windowed = rule('REQUESTS', 10n, end);
    const lifetime = rule('CREDITS', 1000n);
    const req = request([level('user', 5n, 0n, 1n, [lifetime, windowed])]);
    await ledger.reserve(req);
    expect(await redis!.pexpiretime(`${prefix}:c:${windowed.ruleId}:${windowed.windowId}`)).toBe(end + 86_400_000);
    expect(await redis!.pttl(`${prefix}:c:${lifetime.ruleId}:${lifetime.windowId}`)).toBe(-1);
    expect(await redis!.exists(`${prefix}:r:${req.requestId}`)).toBe(1);
    expect(await redis!.zscore(`${prefix}:deadlines`, req.requestId)).toBe(String(req.deadlineAt));
    await ledger.settle(req.requestId, actual([[5n, 0n, 1n]]));
    expect(await redis!.exists(`${prefix}:r:${req.requestId}`)).toBe(0);
    const ttl = await redis!.ttl(`${prefix}:d:${req.requestId}`);
    expect(ttl).toBeGreaterThan(50);
    expect(ttl).toBeLessThanOrEqual(60);
    expect(await redis!.xlen(`${prefix}:usage`)).toBe(1);
    await ledger.close();
  });

  it('does not recreate a windowed counter that expired before the settle', async () => {
    const prefix = nextPrefix();
    const ledger = new RedisLedgerDriver(redis!, { prefix });
    const windowed = rule('TOKENS', null, Date.now() + 3_600_000);
    const req = request([level('user', 0n, 100n, 1n, [windowed])]);
    await ledger.reserve(req);
    await redis!.del(`${prefix}:c:${windowed.ruleId}:${windowed.windowId}`); // the window (and its grace) ran out
    expect(await ledger.settle(req.requestId, actual([[0n, 40n, 1n]]))).toBe('settled');
    expect(await redis!.exists(`${prefix}:c:${windowed.ruleId}:${windowed.windowId}`)).toBe(0);
    await ledger.close();
  });

  it('settles on one connection what it reserved on another', async () => {
    const ledger = new RedisLedgerDriver(redis!, { prefix: nextPrefix(), connections: 2 });
    const credits = rule('CREDITS', 1000n);
    // Round-robin: the reserves land on connections 1, 2, 1 and the settles on 2, 1, 2.
    const reqs = [1n, 2n, 3n].map((n) => request([level('user', n * 10n, 0n, 1n, [credits])]));
    for (const req of reqs) expect((await ledger.reserve(req)).ok).toBe(true);
    for (const [i, req] of reqs.entries()) expect(await ledger.settle(req.requestId, actual([[BigInt(i + 1), 0n, 1n]]))).toBe('settled');
    expect(await ledger.used([credits])).toEqual([6n]);
    await ledger.close();
    expect(() => new RedisLedgerDriver(redis!, { connections: 0 })).toThrow(/connections/);
  });

  it('refuses an ioredis keyPrefix, which the settle script could not apply', () => {
    const prefixed = new Redis(url!, { keyPrefix: 'x:', lazyConnect: true });
    expect(() => new RedisLedgerDriver(prefixed)).toThrow(/keyPrefix/);
    prefixed.disconnect();
  });
});
