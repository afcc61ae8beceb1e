import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { PrismaService } from '@tiergate/api-db';
import { createTestDatabase, type TestDatabase } from '@tiergate/api-testing';
import { RedisLedgerDriver } from '../drivers/redis-ledger.driver.js';
import { UsageRepository } from '../usage/usage.repository.js';
import { LedgerRuntime } from './ledger-runtime.service.js';

const redisUrl = inject('redisUrl');

describe.skipIf(!redisUrl)('the persister in its own thread (real Redis and Postgres)', () => {
  const prefix = `{tgpt-${randomUUID().slice(0, 8)}}`;
  let db: TestDatabase;
  let prisma: PrismaService;
  let redis: Redis;
  const accounts: string[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    prisma = new PrismaService(db.target);
    redis = new Redis(redisUrl!);
    let parentId: string | null = null;
    for (const kind of ['MASTER', 'AGENT', 'USER'] as const) {
      const account: { id: string } = await prisma.account.create({ data: { kind, name: kind, parentId } });
      accounts.unshift(account.id);
      parentId = account.id;
    }
  });
  afterAll(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.unlink(...keys);
    await redis.quit();
    await prisma?.onApplicationShutdown();
    await db?.drop();
  });

  type Levels = { accountId: string; credits: bigint; tokens: bigint; requests: bigint; counters: [] }[];

  /** A runtime whose persister thread connects to `threadRedisUrl` (this test's Postgres schema). */
  async function startRuntime(driver: RedisLedgerDriver, threadRedisUrl: string): Promise<LedgerRuntime> {
    const runtime = new LedgerRuntime(driver, new UsageRepository(prisma), prisma, {
      background: true,
      reapEveryMs: 60_000,
      batchSize: 20,
      lingerMs: 10,
      singleNode: false,
      persisterThread: { redisUrl: threadRedisUrl, redisPrefix: prefix, databaseUrl: db.target.url, databaseSchema: db.target.schema },
    });
    await runtime.onApplicationBootstrap();
    return runtime;
  }

  /** Reserves and settles one request at what it reserved; returns its id. */
  async function settleOne(driver: RedisLedgerDriver, levels: Levels, model: string): Promise<string> {
    const requestId = randomUUID();
    expect((await driver.reserve({ requestId, levels, deadlineAt: Date.now() + 60_000, meta: { accountId: accounts[0]!, model } })).ok).toBe(true);
    await driver.settle(requestId, { levels: levels.map((l) => ({ credits: l.credits, tokens: l.tokens, requests: 1n })), inputTokens: 6n, cachedTokens: 0n, outputTokens: 4n, status: 'ok' });
    return requestId;
  }

  const rowsOf = async (ids: string[]) => Number((await db.sql.query('SELECT count(*)::int AS n FROM usage_record WHERE request_id = ANY($1)', [ids])).rows[0].n);

  async function waitForRows(ids: string[]): Promise<void> {
    const deadline = Date.now() + 20_000;
    while ((await rowsOf(ids)) < ids.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  }

  it('writes every settled request to Postgres off the main thread and leaves nothing in the stream at shutdown', async () => {
    const driver = new RedisLedgerDriver(redis, { prefix });
    const runtime = await startRuntime(driver, redisUrl!);
    const levels: Levels = accounts.map((accountId, depth) => ({ accountId, credits: BigInt(300 - 100 * depth), tokens: 10n, requests: 1n, counters: [] }));
    const ids: string[] = [];
    for (let i = 0; i < 75; i++) ids.push(await settleOne(driver, levels, 'gpt-thread'));
    // Nothing on this thread reads the stream: the rows can only come from the persister thread.
    await waitForRows(ids);
    expect(await rowsOf(ids)).toBe(75);
    expect(runtime.persisterOnThread).toBe(true);

    // Settled during shutdown: the thread stops, then the main thread drains what is left.
    ids.push(await settleOne(driver, levels, 'gpt-thread'));
    await runtime.onApplicationShutdown();
    expect(await rowsOf(ids)).toBe(76);
    const charges = await db.sql.query('SELECT account_id, sum(credits)::text AS credits, count(*)::int AS n FROM usage_charge WHERE request_id = ANY($1) GROUP BY account_id', [ids]);
    expect(charges.rows).toHaveLength(3);
    for (const [depth, id] of accounts.entries()) expect(charges.rows.find((r) => r.account_id === id)).toMatchObject({ credits: String(76 * (300 - 100 * depth)), n: 76 });
    // Acked and deleted: the stream holds nothing for a later persister to write twice.
    expect(await redis.xlen(`${prefix}:usage`)).toBe(0);
  });

  it('hands the work back to the main thread when the thread cannot start', async () => {
    const driver = new RedisLedgerDriver(redis, { prefix });
    // Nothing listens there: the thread's first command fails.
    const runtime = await startRuntime(driver, 'redis://127.0.0.1:1');
    const levels: Levels = accounts.map((accountId) => ({ accountId, credits: 5n, tokens: 1n, requests: 1n, counters: [] }));
    const ids = [await settleOne(driver, levels, 'gpt-fallback')];
    await waitForRows(ids);
    expect(await rowsOf(ids)).toBe(1);
    expect(runtime.persisterOnThread).toBe(false);
    await runtime.onApplicationShutdown();
  });
});
