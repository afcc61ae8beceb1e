import 'reflect-metadata';
import { AccessService, TreeRepository } from '@tiergate/api-accounts';
import { type Actor, NotFoundError } from '@tiergate/api-core';
import { PrismaService } from '@tiergate/api-db';
import { UsageRepository, type UsageEvent } from '@tiergate/api-ledger';
import { createTestDatabase, type TestDatabase } from '@tiergate/api-testing';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageReportsService } from './usage-reports.service.js';
import { UsageReportsRepository } from './usage.repository.js';

type Kind = 'MASTER' | 'AGENT' | 'TENANT' | 'USER';

/**
 * The persister's batches fold into the daily rollup; reports read it per day, model and child,
 * with cost, revenue and margin per level, and never show anything outside the asked subtree.
 */
describe('usage reports (real Postgres)', () => {
  let db: TestDatabase;
  let prisma: PrismaService;
  let usage: UsageRepository;
  let reports: UsageReportsService;
  const ids: Record<string, string> = {};
  const actor = (name: string, kind: Kind): Actor => ({ accountId: ids[name]!, kind, tier: kind.toLowerCase() as Actor['tier'] });

  async function add(name: string, kind: Kind, parent: string | null) {
    const id = randomUUID();
    const tree = new TreeRepository(prisma);
    await prisma.$transaction(async (tx) => {
      await tx.account.create({ data: { id, kind, name, parentId: parent ? ids[parent]! : null } });
      await tree.insertNode(tx, id, parent ? ids[parent]! : null);
    });
    ids[name] = id;
  }

  /** A request by `caller`, charged along its chain (caller first, master last). */
  function event(chain: string[], credits: bigint[], model: string, at: string, tokens = 100n, extra: Partial<UsageEvent> = {}): UsageEvent {
    return {
      requestId: randomUUID(),
      meta: { accountId: ids[chain[0]!]!, model, apiKeyId: extra.meta?.apiKeyId },
      levels: chain.map((n, i) => ({ accountId: ids[n]!, credits: credits[i]!, tokens, requests: 1n })),
      inputTokens: 60n,
      cachedTokens: 0n,
      outputTokens: tokens - 60n,
      status: 'ok',
      settledAt: Date.parse(at),
      ...extra,
    };
  }

  const userChain = ['user', 'tenant', 'sub', 'agent', 'master'];
  const keyId = randomUUID();

  beforeAll(async () => {
    db = await createTestDatabase();
    prisma = new PrismaService(db.target);
    usage = new UsageRepository(prisma);
    reports = new UsageReportsService(new AccessService(prisma), new UsageReportsRepository(prisma));
    await add('master', 'MASTER', null);
    await add('agent', 'AGENT', 'master');
    await add('sub', 'AGENT', 'agent');
    await add('tenant', 'TENANT', 'sub');
    await add('user', 'USER', 'tenant');
    await add('user2', 'USER', 'tenant');
    await add('other', 'AGENT', 'master');
    await add('otherTenant', 'TENANT', 'other');
    await add('otherUser', 'USER', 'otherTenant');

    const batch1 = [
      // user, day 1, model a: each level charges more than it pays up
      event(userChain, [150n, 120n, 110n, 100n, 80n], 'model-a', '2026-03-01T10:00:00Z', 100n, { meta: { accountId: '', model: 'model-a', apiKeyId: keyId } } as never),
      event(userChain, [150n, 120n, 110n, 100n, 80n], 'model-a', '2026-03-01T23:59:59Z'),
      // user2, day 2, model b
      event(['user2', 'tenant', 'sub', 'agent', 'master'], [30n, 20n, 15n, 10n, 8n], 'model-b', '2026-03-02T00:00:00Z', 40n),
      // the tenant's own key, day 2
      event(['tenant', 'sub', 'agent', 'master'], [12n, 11n, 10n, 9n], 'model-a', '2026-03-02T12:00:00Z', 10n),
      // another branch
      event(['otherUser', 'otherTenant', 'other', 'master'], [1000n, 900n, 800n, 700n], 'model-a', '2026-03-01T12:00:00Z'),
    ];
    batch1[0]!.meta.accountId = ids.user!;
    await usage.insertBatch(batch1);
    // A replayed batch (the persister re-reading its stream) must not count twice.
    await usage.insertBatch(batch1.slice(0, 2));
  });
  afterAll(async () => {
    await prisma?.onApplicationShutdown();
    await db?.drop();
  });

  const q = { from: '2026-03-01', to: '2026-03-03' };

  it('totals per day: the agent pays 100+100 then 10+10, its sub-agent pays it 110+110 then 15+11', async () => {
    const r = await reports.usage(actor('agent', 'AGENT'), ids.agent!, { ...q, groupBy: 'day' });
    expect(r.rows).toEqual([
      { key: '2026-03-01', requests: '2', tokens: '200', charged: '200', revenue: '220', margin: '20' },
      { key: '2026-03-02', requests: '2', tokens: '50', charged: '20', revenue: '26', margin: '6' },
    ]);
    expect(r.total).toEqual({ requests: '4', tokens: '250', charged: '220', revenue: '246', margin: '26' });
    expect(r).toMatchObject({ from: '2026-03-01', to: '2026-03-03', groupBy: 'day' });
  });

  it('per model, most charged first', async () => {
    const r = await reports.usage(actor('sub', 'AGENT'), ids.tenant!, { ...q, groupBy: 'model' });
    expect(r.rows.map((x) => [x.key, x.requests, x.charged, x.revenue])).toEqual([
      ['model-a', '3', '252', '300'],
      ['model-b', '1', '20', '30'],
    ]);
  });

  it("per direct child, with the account's own requests as its own row", async () => {
    const r = await reports.usage(actor('sub', 'AGENT'), ids.tenant!, { ...q, groupBy: 'child' });
    const byName = Object.fromEntries(r.rows.map((x) => [x.name, [x.requests, x.charged, x.revenue, x.margin]]));
    expect(byName).toEqual({ user: ['2', '240', '300', '60'], user2: ['1', '20', '30', '10'], tenant: ['1', '12', '0', '-12'] });
  });

  it('the master sees both branches; its cost is the upstream cost', async () => {
    const r = await reports.usage(actor('master', 'MASTER'), ids.master!, { ...q, groupBy: 'child' });
    const byName = Object.fromEntries(r.rows.map((x) => [x.name, [x.charged, x.revenue]]));
    expect(byName).toEqual({ agent: ['177', '220'], other: ['700', '800'] });
  });

  it('a range outside the usage is empty; bad ranges are refused', async () => {
    const r = await reports.usage(actor('agent', 'AGENT'), ids.agent!, { from: '2026-03-03', to: '2026-03-10' });
    expect(r.rows).toEqual([]);
    expect(r.total.charged).toBe('0');
    await expect(reports.usage(actor('agent', 'AGENT'), ids.agent!, { from: '2026-03-05', to: '2026-03-01' })).rejects.toMatchObject({ code: 'invalid_range' });
    await expect(reports.usage(actor('agent', 'AGENT'), ids.agent!, { from: '2020-01-01', to: '2026-01-01' })).rejects.toMatchObject({ code: 'invalid_range' });
  });

  it('never shows another subtree: the other branch and the ancestors are not found', async () => {
    for (const target of ['other', 'otherUser', 'master']) {
      await expect(reports.usage(actor('agent', 'AGENT'), ids[target]!, q)).rejects.toBeInstanceOf(NotFoundError);
      await expect(reports.requests(actor('agent', 'AGENT'), ids[target]!, {})).rejects.toBeInstanceOf(NotFoundError);
    }
    await expect(reports.usage(actor('user', 'USER'), ids.user2!, q)).rejects.toBeInstanceOf(NotFoundError);
    // The other branch's request never appears in this branch's log.
    const log = await reports.requests(actor('agent', 'AGENT'), ids.agent!, { from: '2026-03-01', to: '2026-03-03', limit: 200 });
    expect(log.items.map((i) => i.accountId)).not.toContain(ids.otherUser);
  });

  it('request log: newest first, metadata and own charge only, cursor pages, filters', async () => {
    const all = await reports.requests(actor('sub', 'AGENT'), ids.sub!, { from: '2026-03-01', to: '2026-03-03' });
    expect(all.items.map((i) => i.settledAt)).toEqual(['2026-03-02T12:00:00.000Z', '2026-03-02T00:00:00.000Z', '2026-03-01T23:59:59.000Z', '2026-03-01T10:00:00.000Z']);
    expect(all.items.map((i) => i.charged)).toEqual(['11', '15', '110', '110']);
    expect(Object.keys(all.items[0]!).sort()).toEqual(['accountId', 'apiKeyId', 'cachedTokens', 'charged', 'inputTokens', 'model', 'outputTokens', 'requestId', 'settledAt', 'status']);

    const first = await reports.requests(actor('sub', 'AGENT'), ids.sub!, { from: '2026-03-01', to: '2026-03-03', limit: 3 });
    expect(first.items).toHaveLength(3);
    const second = await reports.requests(actor('sub', 'AGENT'), ids.sub!, { from: '2026-03-01', to: '2026-03-03', limit: 3, cursor: first.nextCursor! });
    expect(second.items.map((i) => i.requestId)).toEqual([all.items[3]!.requestId]);
    expect(second.nextCursor).toBeNull();

    const byModel = await reports.requests(actor('sub', 'AGENT'), ids.sub!, { from: '2026-03-01', to: '2026-03-03', model: 'model-b' });
    expect(byModel.items.map((i) => i.model)).toEqual(['model-b']);
    const byKey = await reports.requests(actor('tenant', 'TENANT'), ids.tenant!, { from: '2026-03-01', to: '2026-03-03', keyId });
    expect(byKey.items).toHaveLength(1);
    expect(byKey.items[0]!.apiKeyId).toBe(keyId);
    const byStatus = await reports.requests(actor('tenant', 'TENANT'), ids.tenant!, { from: '2026-03-01', to: '2026-03-03', status: 'client_aborted' });
    expect(byStatus.items).toEqual([]);
    await expect(reports.requests(actor('tenant', 'TENANT'), ids.tenant!, { cursor: 'bm9wZQ' })).rejects.toMatchObject({ code: 'invalid_cursor' });
  });

  it('a rare filter ends a page early, with a position to go on from where the scan stopped', async () => {
    const repo = new UsageReportsRepository(prisma);
    const range = { from: new Date('2026-03-01'), to: new Date('2026-03-03'), model: 'model-b', limit: 10 };
    // Chunks of one charge, at most two scanned per call: newest first the sub-agent has
    // model-a (tenant's own), model-b, model-a, model-a.
    const first = await repo.requestLog(ids.sub!, range, 1, 2);
    expect(first.rows.map((r) => r.model)).toEqual(['model-b']);
    expect(first.resumeAt?.settledAt.toISOString()).toBe('2026-03-02T00:00:00.000Z');
    const second = await repo.requestLog(ids.sub!, { ...range, before: first.resumeAt! }, 1, 2);
    expect(second.rows).toEqual([]);
    expect(second.resumeAt?.settledAt.toISOString()).toBe('2026-03-01T10:00:00.000Z');
    const third = await repo.requestLog(ids.sub!, { ...range, before: second.resumeAt! }, 1, 2);
    expect(third).toEqual({ rows: [], resumeAt: null });
  });

  it('exports CSV in credits', async () => {
    const csv = await reports.usageCsv(actor('agent', 'AGENT'), ids.agent!, { ...q, groupBy: 'model' });
    expect(csv.split('\r\n')).toEqual([
      'model,requests,tokens,charged_credits,revenue_credits,margin_credits',
      'model-a,3,210,0.000210,0.000231,0.000021',
      'model-b,1,40,0.000010,0.000015,0.000005',
      '',
    ]);
    const log = await reports.requestsCsv(actor('user', 'USER'), ids.user!, { from: '2026-03-01', to: '2026-03-03' });
    const lines = log.trim().split('\r\n');
    expect(lines[0]).toBe('request_id,settled_at,account_id,api_key_id,model,status,input_tokens,cached_tokens,output_tokens,charged_credits');
    expect(lines).toHaveLength(3);
    expect(lines[1]).toContain(',model-a,ok,60,0,40,0.000150');
  });
});
