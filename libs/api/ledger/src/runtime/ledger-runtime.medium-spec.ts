import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DatabaseTarget, PrismaService, applyMigrations, startEmbeddedPostgres, type EmbeddedPostgresHandle } from '@tiergate/api-db';
import { createTestDatabase, type TestDatabase } from '@tiergate/api-testing';
import { InProcessLedgerDriver } from '../drivers/in-process-ledger.driver.js';
import { RedisLedgerDriver } from '../drivers/redis-ledger.driver.js';
import type { LedgerDriver, ReserveRequest } from '../ledger.types.js';
import { counterOf } from '../rules/rule-shape.js';
import { UsageRepository } from '../usage/usage.repository.js';
import { LedgerRuntime } from './ledger-runtime.service.js';

const redisUrl = inject('redisUrl');

interface DriverKit {
  name: string;
  enabled: boolean;
  /** A driver over the same durable state as every other one this kit made (a "restart"). */
  open(): LedgerDriver;
  /** Wipes the ledger's state the way FLUSHALL would. */
  flush(): Promise<void>;
  cleanup(): Promise<void>;
}

function inProcessKit(): DriverKit {
  const dir = mkdtempSync(join(tmpdir(), 'tg-ledger-'));
  return {
    name: 'in-process',
    enabled: true,
    open: () => new InProcessLedgerDriver({ journalDir: dir }),
    flush: async () => rmSync(dir, { recursive: true, force: true }),
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

function redisKit(): DriverKit {
  const prefix = `{tgrt-${randomUUID().slice(0, 8)}}`;
  const clients: Redis[] = [];
  const flush = async () => {
    const admin = new Redis(redisUrl!);
    let cursor = '0';
    do {
      const [next, keys] = await admin.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await admin.unlink(...keys);
    } while (cursor !== '0');
    await admin.quit();
  };
  return {
    name: 'redis',
    enabled: redisUrl !== null,
    open: () => {
      const client = new Redis(redisUrl!);
      clients.push(client);
      return new RedisLedgerDriver(client, { prefix });
    },
    flush,
    cleanup: async () => {
      await flush();
      await Promise.all(clients.map((c) => c.quit().catch(() => undefined)));
    },
  };
}

for (const makeKit of [inProcessKit, redisKit]) {
  const kit = makeKit();
  describe.skipIf(!kit.enabled)(`ledger runtime with the ${kit.name} driver (real Postgres)`, () => {
    let db: TestDatabase;
    let prisma: PrismaService;
    let usage: UsageRepository;
    const chain: { id: string; ruleId: string; dailyRuleId: string }[] = [];

    beforeAll(async () => {
      db = await createTestDatabase();
      prisma = new PrismaService(db.target);
      usage = new UsageRepository(prisma);
      // master → agent → tenant → user, each with a balance and a daily request rule.
      let parentId: string | null = null;
      for (const kind of ['MASTER', 'AGENT', 'TENANT', 'USER'] as const) {
        const account: { id: string } = await prisma.account.create({ data: { kind, name: kind, parentId } });
        const rule = await prisma.quotaRule.create({
          data: { accountId: account.id, unit: 'CREDITS', windowKind: 'LIFETIME', shape: 'CREDITS/LIFETIME', limit: kind === 'MASTER' ? null : 10_000_000n },
        });
        const daily = await prisma.quotaRule.create({
          data: { accountId: account.id, unit: 'REQUESTS', windowKind: 'CALENDAR', calendarPeriod: 'DAY', timezone: 'Asia/Shanghai', shape: 'REQUESTS/CALENDAR/DAY/Asia/Shanghai/', limit: 1000n },
        });
        chain.unshift({ id: account.id, ruleId: rule.id, dailyRuleId: daily.id });
        parentId = account.id;
      }
    });
    afterAll(async () => {
      await kit.cleanup();
      await prisma?.onApplicationShutdown();
      await db?.drop();
    });

    const runtime = (driver: LedgerDriver, repo = usage) =>
      new LedgerRuntime(driver, repo, prisma, { background: false, reapEveryMs: 1000, batchSize: 100, singleNode: kit.name === 'in-process' });

    async function countersOf(): Promise<ReserveRequest['levels']> {
      const rules = await prisma.quotaRule.findMany({ where: { accountId: { in: chain.map((c) => c.id) } } });
      return chain.map((level, depth) => ({
        accountId: level.id,
        credits: BigInt(1000 * (4 - depth)),
        tokens: 100n,
        requests: 1n,
        counters: rules.filter((r) => r.accountId === level.id).map((r) => counterOf(r, new Date())),
      }));
    }

    async function usedNow(driver: LedgerDriver): Promise<bigint[]> {
      const rules = await prisma.quotaRule.findMany({ orderBy: { id: 'asc' } });
      return driver.used(rules.map((r) => counterOf(r, new Date())));
    }

    function request(levels: ReserveRequest['levels'], deadlineAt = Date.now() + 60_000): ReserveRequest {
      return { requestId: randomUUID(), levels, deadlineAt, meta: { accountId: chain[0]!.id, model: 'gpt-test' } };
    }

    const actualOf = (levels: ReserveRequest['levels'], factor: bigint) => ({
      levels: levels.map((l) => ({ credits: (l.credits * factor) / 2n, tokens: l.tokens, requests: 1n })),
      inputTokens: 60n,
      cachedTokens: 0n,
      outputTokens: 40n,
      status: 'ok' as const,
    });

    it('persists every settled request once, even when events are replayed', async () => {
      const driver = kit.open();
      const rt = runtime(driver);
      const levels = await countersOf();
      const ids: string[] = [];
      for (let i = 0; i < 25; i++) {
        const req = request(levels);
        expect((await driver.reserve(req)).ok).toBe(true);
        await driver.settle(req.requestId, actualOf(levels, 1n));
        ids.push(req.requestId);
      }
      let total = 0;
      for (let n = await rt.persistOnce(0); n > 0; n = await rt.persistOnce(0)) total += n;
      expect(total).toBe(25);
      const records = await db.sql.query('SELECT count(*)::int AS n FROM usage_record WHERE request_id = ANY($1)', [ids]);
      const charges = await db.sql.query('SELECT count(*)::int AS n FROM usage_charge WHERE request_id = ANY($1)', [ids]);
      expect(records.rows[0].n).toBe(25);
      expect(charges.rows[0].n).toBe(25 * 4);
      // Every column as the event carried it (the batch is written through unnest arrays).
      const row = await db.sql.query(
        'SELECT account_id, api_key_id, channel_id, model, input_tokens::int AS i, cached_tokens::int AS c, output_tokens::int AS o, status, settled_at FROM usage_record WHERE request_id = $1',
        [ids[0]],
      );
      expect(row.rows[0]).toMatchObject({ account_id: chain[0]!.id, api_key_id: null, channel_id: null, model: 'gpt-test', i: 60, c: 0, o: 40, status: 'ok' });
      expect(Math.abs(Date.now() - row.rows[0].settled_at.getTime())).toBeLessThan(60_000);
      const levelRows = await db.sql.query('SELECT account_id, depth, credits::text AS credits, tokens::int AS tokens, requests::int AS requests FROM usage_charge WHERE request_id = $1 ORDER BY depth', [ids[0]]);
      expect(levelRows.rows).toEqual(levels.map((l, depth) => ({ account_id: l.accountId, depth, credits: String(l.credits / 2n), tokens: 100, requests: 1 })));
      // A replay of the same events changes nothing.
      const again = await db.sql.query('SELECT request_id FROM usage_record WHERE request_id = ANY($1)', [ids]);
      expect(again.rowCount).toBe(25);
      await driver.close();
    });

    it('keeps events in the stream while Postgres is unreachable and writes them all once it is back', async () => {
      const driver = kit.open();
      const levels = await countersOf();
      // A dedicated embedded Postgres we can really stop.
      const dir = mkdtempSync(join(tmpdir(), 'tg-pgdown-'));
      let pg: EmbeddedPostgresHandle = await startEmbeddedPostgres({ dataDir: dir });
      await applyMigrations({ databaseUrl: pg.databaseUrl });
      const port = pg.port;
      const downPrisma = new PrismaService(new DatabaseTarget(pg.databaseUrl));
      const downRepo = new UsageRepository(downPrisma);
      const rt = runtime(driver, downRepo);
      await pg.stop();

      const ids: string[] = [];
      for (let i = 0; i < 10; i++) {
        const req = request(levels);
        await driver.reserve(req);
        await driver.settle(req.requestId, actualOf(levels, 1n));
        ids.push(req.requestId);
      }
      await expect(rt.persistOnce(0)).rejects.toBeDefined();

      pg = await startEmbeddedPostgres({ dataDir: dir, port });
      let written = 0;
      for (let n = await rt.persistOnce(0); n > 0; n = await rt.persistOnce(0)) written += n;
      expect(written).toBeGreaterThanOrEqual(10);
      const check = new DatabaseTarget(pg.databaseUrl);
      const verify = new PrismaService(check);
      expect(await verify.usageRecord.count({ where: { requestId: { in: ids } } })).toBe(10);
      await verify.onApplicationShutdown();
      await downPrisma.onApplicationShutdown();
      await pg.stop();
      rmSync(dir, { recursive: true, force: true });
      await driver.close();
    });

    it('finishes a reservation whose process died, after a restart', async () => {
      const levels = await countersOf();
      const first = kit.open();
      const before = await usedNow(first);
      const req = request(levels, Date.now() + 200);
      expect((await first.reserve(req)).ok).toBe(true);
      // The "process" dies: no settle. A fresh driver over the same state and a reaper take over.
      const second = kit.open();
      await new Promise((r) => setTimeout(r, 250));
      const rt = runtime(second);
      expect(await rt.reapOnce()).toBeGreaterThanOrEqual(1);
      while ((await rt.persistOnce(0)) > 0);
      const row = await db.sql.query('SELECT status FROM usage_record WHERE request_id = $1', [req.requestId]);
      expect(row.rows[0]?.status).toBe('reaped');
      if (kit.name === 'redis') expect(await usedNow(second)).toEqual(before);
      await first.close();
      await second.close();
    });

    it('rebuilds counters equal to Postgres after the ledger state is wiped', async () => {
      const driver = kit.open();
      const rt = runtime(driver);
      const levels = await countersOf();
      for (let i = 0; i < 7; i++) {
        const req = request(levels);
        await driver.reserve(req);
        await driver.settle(req.requestId, actualOf(levels, 3n));
      }
      while ((await rt.persistOnce(0)) > 0);
      await rt.rebuild();
      const expected = await usedNow(driver);
      // The balance of the user equals what Postgres says it was charged.
      const sum = await db.sql.query('SELECT SUM(credits)::text AS s FROM usage_charge WHERE account_id = $1', [chain[0]!.id]);
      const rules = await prisma.quotaRule.findMany({ orderBy: { id: 'asc' } });
      expect(expected[rules.findIndex((r) => r.id === chain[0]!.ruleId)]!.toString()).toBe(sum.rows[0].s);
      await driver.close();

      await kit.flush();
      const fresh = kit.open();
      expect(await fresh.isEmpty()).toBe(true);
      await runtime(fresh).onApplicationBootstrap();
      expect(await usedNow(fresh)).toEqual(expected);
      await fresh.close();
    });

    it('in the background, lingers after a small batch so that a burst is written as one batch', async () => {
      const driver = kit.open();
      const batches: number[] = [];
      const counting = Object.assign(Object.create(usage) as UsageRepository, {
        insertBatch: async (events: Parameters<UsageRepository['insertBatch']>[0]) => {
          batches.push(events.length);
          await usage.insertBatch(events);
        },
      });
      const rt = new LedgerRuntime(driver, counting, prisma, { background: true, reapEveryMs: 60_000, batchSize: 100, lingerMs: 600, singleNode: kit.name === 'in-process' });
      await rt.onApplicationBootstrap();
      const levels = await countersOf();
      const settleOne = async () => {
        const req = request(levels);
        await driver.reserve(req);
        await driver.settle(req.requestId, actualOf(levels, 1n));
      };
      const persisted = async (n: number) => {
        for (let waited = 0; batches.reduce((a, b) => a + b, 0) < n && waited < 5_000; waited += 20) await new Promise((r) => setTimeout(r, 20));
      };
      await settleOne();
      await persisted(1);
      // The loop now lingers: a burst of 10 arriving meanwhile is read and written together.
      for (let i = 0; i < 10; i++) await settleOne();
      await persisted(11);
      expect(batches).toEqual([1, 10]);
      await rt.onApplicationShutdown();
    });
  });
}
