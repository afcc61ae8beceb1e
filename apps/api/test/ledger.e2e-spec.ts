import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Api } from './support/api-client.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const CREDIT = 1_000_000n;
const credits = (n: number) => (BigInt(n) * CREDIT).toString();

describe('quota rules, grants, oversell, redemption codes, catalog and price lists', () => {
  let t: TestApp;
  let api: Api;
  let master: string;

  beforeAll(async () => {
    t = await startTestApp();
    api = new Api(t.baseUrl);
    master = (await api.loginMaster()).accessToken;
  });
  afterAll(() => t?.close());

  const mainRule = async (token: string, id: string) => {
    const q = await api.call('GET', `/api/v1/accounts/${id}/quota`, { token });
    expect(q.status).toBe(200);
    return q.body.rules.find((r: { main: boolean }) => r.main);
  };

  it('gives every account a balance rule: 0 for new accounts, unlimited for the master', async () => {
    const me = await api.call('GET', '/api/v1/me', { token: master });
    expect((await mainRule(master, me.body.account.id)).limit).toBeNull();
    const a = await api.createAndLogin(master, 'AGENT', 'Fresh');
    const rule = await mainRule(a.token, a.account.id);
    expect(rule).toMatchObject({ unit: 'CREDITS', window: { kind: 'LIFETIME' }, limit: '0', used: '0', resetsAt: null, main: true });
  });

  it('grants down the tree, refuses overselling unless the parent allows it, and journals every grant', async () => {
    const a = await api.createAndLogin(master, 'AGENT', 'Granter');
    const b1 = await api.createAndLogin(a.token, 'AGENT', 'Child 1');
    const b2 = await api.createAndLogin(a.token, 'TENANT', 'Child 2');

    const g = await api.call('POST', `/api/v1/accounts/${a.account.id}/grants`, { token: master, body: { delta: credits(100), note: 'invoice 7', externalRef: 'inv-7' } });
    expect(g.status).toBe(201);
    expect(g.body).toMatchObject({ delta: credits(100), limitAfter: credits(100), note: 'invoice 7', externalRef: 'inv-7', granterId: expect.any(String) });

    expect((await api.call('POST', `/api/v1/accounts/${b1.account.id}/grants`, { token: a.token, body: { delta: credits(60) } })).status).toBe(201);
    const over = await api.call('POST', `/api/v1/accounts/${b2.account.id}/grants`, { token: a.token, body: { delta: credits(50) } });
    expect(over.status).toBe(409);
    expect(over.body.error.code).toBe('oversell_refused');
    expect((await mainRule(a.token, b2.account.id)).limit).toBe('0');

    // Only A's parent may allow A to oversell.
    expect((await api.call('PUT', `/api/v1/accounts/${a.account.id}/settings`, { token: a.token, body: { oversell: true } })).status).toBe(403);
    expect((await api.call('PUT', `/api/v1/accounts/${a.account.id}/settings`, { token: master, body: { oversell: true } })).status).toBe(200);
    expect((await api.call('POST', `/api/v1/accounts/${b2.account.id}/grants`, { token: a.token, body: { delta: credits(50) } })).status).toBe(201);
    expect((await api.call('GET', `/api/v1/accounts/${a.account.id}/quota`, { token: master })).body.oversell).toBe(true);

    // Lowering works; below zero does not; zero is refused.
    const lower = await api.call('POST', `/api/v1/accounts/${b1.account.id}/grants`, { token: a.token, body: { delta: `-${credits(10)}` } });
    expect(lower.body.limitAfter).toBe(credits(50));
    expect((await api.call('POST', `/api/v1/accounts/${b1.account.id}/grants`, { token: a.token, body: { delta: `-${credits(51)}` } })).body.error.code).toBe('limit_below_zero');
    expect((await api.call('POST', `/api/v1/accounts/${b1.account.id}/grants`, { token: a.token, body: { delta: '0' } })).status).toBe(400);

    // Only the direct parent grants; the grandparent reads.
    expect((await api.call('POST', `/api/v1/accounts/${b1.account.id}/grants`, { token: master, body: { delta: '1' } })).status).toBe(403);
    expect((await api.call('GET', `/api/v1/accounts/${b1.account.id}/quota`, { token: master })).status).toBe(200);
    // An account never grants itself.
    expect((await api.call('POST', `/api/v1/accounts/${a.account.id}/grants`, { token: a.token, body: { delta: '1' } })).status).toBe(403);

    const journal = await api.call('GET', `/api/v1/accounts/${b1.account.id}/grants`, { token: b1.token });
    expect(journal.body.items.map((j: { delta: string }) => j.delta)).toEqual([`-${credits(10)}`, credits(60)]);
    const audit = await t.db.sql.query(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'grant' AND target_id = $1`, [b1.account.id]);
    expect(audit.rows[0].n).toBe(2);
    await expect(t.db.sql.query('DELETE FROM grant_journal')).rejects.toThrow(/append-only/);
  });

  it('serializes concurrent grants so the oversell check cannot be raced', async () => {
    const a = await api.createAndLogin(master, 'AGENT', 'Racer');
    await api.call('POST', `/api/v1/accounts/${a.account.id}/grants`, { token: master, body: { delta: credits(10) } });
    const kids = await Promise.all(Array.from({ length: 5 }, (_, i) => api.createAndLogin(a.token, 'TENANT', `Race kid ${i}`)));
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        api.call('POST', `/api/v1/accounts/${kids[i % 5]!.account.id}/grants`, { token: a.token, body: { delta: credits(1) } }),
      ),
    );
    expect(results.filter((r) => r.status === 201)).toHaveLength(10);
    expect(results.filter((r) => r.status !== 201).every((r) => r.body.error.code === 'oversell_refused')).toBe(true);
    const { rows } = await t.db.sql.query(
      `SELECT SUM(r.limit_value)::text AS total FROM quota_rule r JOIN account c ON c.id = r.account_id WHERE c.parent_id = $1 AND r.shape = 'CREDITS/LIFETIME'`,
      [a.account.id],
    );
    expect(rows[0].total).toBe(credits(10));
  });

  it('adds windowed rules with their next reset, and refuses bad or duplicate ones', async () => {
    const a = await api.createAndLogin(master, 'AGENT', 'Ruled');
    const daily = await api.call('POST', `/api/v1/accounts/${a.account.id}/quota/rules`, {
      token: master,
      body: { unit: 'REQUESTS', window: { kind: 'CALENDAR', period: 'DAY', timezone: 'Asia/Shanghai' }, limit: '500' },
    });
    expect(daily.status).toBe(201);
    const resetsAt = new Date(daily.body.resetsAt);
    expect(resetsAt.getUTCHours()).toBe(16); // local midnight in UTC+8
    expect(resetsAt.getTime()).toBeGreaterThan(Date.now());
    expect(resetsAt.getTime() - Date.now()).toBeLessThanOrEqual(24 * 3600_000);

    const fiveHours = await api.call('POST', `/api/v1/accounts/${a.account.id}/quota/rules`, {
      token: master,
      body: { unit: 'REQUESTS', window: { kind: 'FIXED_INTERVAL', hours: 5, anchor: '2026-01-01T00:00:00Z' }, limit: '50' },
    });
    expect(fiveHours.status).toBe(201);
    const dup = await api.call('POST', `/api/v1/accounts/${a.account.id}/quota/rules`, {
      token: master,
      body: { unit: 'REQUESTS', window: { kind: 'CALENDAR', period: 'DAY', timezone: 'Asia/Shanghai' }, limit: '5' },
    });
    expect(dup.status).toBe(409);
    const badZone = await api.call('POST', `/api/v1/accounts/${a.account.id}/quota/rules`, {
      token: master,
      body: { unit: 'TOKENS', window: { kind: 'CALENDAR', period: 'DAY', timezone: 'Mars/Olympus' }, limit: '5' },
    });
    expect(badZone.status).toBe(400);
    expect(badZone.body.error.code).toBe('invalid_window');
    const noAnchor = await api.call('POST', `/api/v1/accounts/${a.account.id}/quota/rules`, { token: master, body: { unit: 'TOKENS', window: { kind: 'FIXED_INTERVAL', hours: 5 } } });
    expect(noAnchor.status).toBe(400);

    const main = await mainRule(master, a.account.id);
    expect((await api.call('PATCH', `/api/v1/accounts/${a.account.id}/quota/rules/${main.id}`, { token: master, body: { limit: '5' } })).body.error.code).toBe('use_grants');
    expect((await api.call('DELETE', `/api/v1/accounts/${a.account.id}/quota/rules/${main.id}`, { token: master })).status).toBe(403);
    const patched = await api.call('PATCH', `/api/v1/accounts/${a.account.id}/quota/rules/${fiveHours.body.id}`, { token: master, body: { limit: null } });
    expect(patched.body.limit).toBeNull();
    expect((await api.call('DELETE', `/api/v1/accounts/${a.account.id}/quota/rules/${fiveHours.body.id}`, { token: master })).status).toBe(204);
    const view = await api.call('GET', `/api/v1/accounts/${a.account.id}/quota`, { token: a.token });
    expect(view.body.rules).toHaveLength(2);
  });

  it('mints codes shown once; one direct child redeems each exactly once, even concurrently', async () => {
    const a = await api.createAndLogin(master, 'AGENT', 'Issuer');
    await api.call('POST', `/api/v1/accounts/${a.account.id}/grants`, { token: master, body: { delta: credits(100) } });
    const b = await api.createAndLogin(a.token, 'TENANT', 'Redeemer');
    const stranger = await api.createAndLogin(master, 'TENANT', 'Stranger');

    const minted = await api.call('POST', `/api/v1/accounts/${a.account.id}/redemption-codes`, { token: a.token, body: { value: credits(5), count: 3 } });
    expect(minted.status).toBe(201);
    expect(minted.body.codes).toHaveLength(3);
    const [first, second] = minted.body.codes as string[];
    const stored = await t.db.sql.query('SELECT code_hash FROM redemption_code WHERE batch_id = $1', [minted.body.batchId]);
    expect(JSON.stringify(stored.rows)).not.toContain(first!.slice(4));

    const race = await Promise.all(Array.from({ length: 20 }, () => api.call('POST', '/api/v1/redeem', { token: b.token, body: { code: first } })));
    expect(race.filter((r) => r.status === 201)).toHaveLength(1);
    expect(race.filter((r) => r.status === 409).every((r) => r.body.error.code === 'code_used')).toBe(true);
    expect((await mainRule(b.token, b.account.id)).limit).toBe(credits(5));

    // A code is for the issuer's own children only.
    expect((await api.call('POST', '/api/v1/redeem', { token: stranger.token, body: { code: second } })).status).toBe(404);
    expect((await api.call('POST', '/api/v1/redeem', { token: b.token, body: { code: 'tgc-not-a-real-code' } })).status).toBe(404);
    expect((await api.call('POST', '/api/v1/redeem', { token: b.token, body: { code: 'garbage' } })).status).toBe(400);

    const list = await api.call('GET', `/api/v1/accounts/${a.account.id}/redemption-codes`, { token: a.token });
    expect(list.body.items).toHaveLength(3);
    expect(list.body.items.filter((c: { redeemedBy: string | null }) => c.redeemedBy === b.account.id)).toHaveLength(1);
    expect(JSON.stringify(list.body)).not.toContain(first!.slice(12));
  });

  it('keeps the catalog master-only and price lists per account', async () => {
    const put = await api.call('PUT', '/api/v1/catalog/models/gpt-test', { token: master, body: { inputPer1M: credits(2), outputPer1M: credits(8), cachedInputPer1M: credits(1) } });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ model: 'gpt-test', inputPer1M: credits(2), outputPer1M: credits(8), cachedInputPer1M: credits(1) });
    expect((await api.call('PUT', '/api/v1/catalog/models/gpt-test', { token: master, body: { inputPer1M: 1.5, outputPer1M: '8' } })).status).toBe(400);
    expect((await api.call('PUT', '/api/v1/catalog/models/gpt-test', { token: master, body: { inputPer1M: '-1', outputPer1M: '8' } })).status).toBe(400);

    const a = await api.createAndLogin(master, 'AGENT', 'Pricer');
    const child = await api.createAndLogin(a.token, 'TENANT', 'Priced');
    expect((await api.call('GET', '/api/v1/catalog/models', { token: a.token })).status).toBe(403);
    expect((await api.call('PUT', '/api/v1/catalog/models/x', { token: a.token, body: { inputPer1M: '1', outputPer1M: '1' } })).status).toBe(403);

    const list = await api.call('PUT', `/api/v1/accounts/${a.account.id}/price-list`, {
      token: a.token,
      body: {
        markupBps: 12000,
        overrides: { 'gpt-test': { inputPer1M: credits(3), outputPer1M: credits(9) } },
        childOverrides: { [child.account.id]: { 'gpt-test': { inputPer1M: credits(2), outputPer1M: credits(8) } } },
      },
    });
    expect(list.status, JSON.stringify(list.body)).toBe(200);
    expect(list.body.childOverrides[child.account.id]['gpt-test'].inputPer1M).toBe(credits(2));
    expect((await api.call('GET', `/api/v1/accounts/${a.account.id}/price-list`, { token: master })).body.markupBps).toBe(12000);
    // A child never reads what its parent charges others.
    expect((await api.call('GET', `/api/v1/accounts/${a.account.id}/price-list`, { token: child.token })).status).toBe(404);
    // The master does not set someone else's list.
    expect((await api.call('PUT', `/api/v1/accounts/${a.account.id}/price-list`, { token: master, body: { markupBps: 1 } })).status).toBe(403);
    const notChild = await api.call('PUT', `/api/v1/accounts/${a.account.id}/price-list`, {
      token: a.token,
      body: { markupBps: 12000, childOverrides: { '00000000-0000-4000-8000-000000000000': { 'gpt-test': { inputPer1M: '1', outputPer1M: '1' } } } },
    });
    expect(notChild.body.error.code).toBe('not_a_child');
    const badNested = await api.call('PUT', `/api/v1/accounts/${a.account.id}/price-list`, {
      token: a.token,
      body: { markupBps: 12000, childOverrides: { [child.account.id]: { 'gpt-test': { inputPer1M: 'lots', outputPer1M: '1' } } } },
    });
    expect(badNested.status).toBe(400);
  });

  it('prices a depth-6 chain with markups and overrides to the exact µc at every level', async () => {
    const model = 'chain-model';
    await api.call('PUT', `/api/v1/catalog/models/${model}`, { token: master, body: { inputPer1M: '2000000', outputPer1M: '8000000', cachedInputPer1M: '1000000' } });
    const a = await api.createAndLogin(master, 'AGENT', 'P-A');
    const b = await api.createAndLogin(a.token, 'AGENT', 'P-B');
    const c = await api.createAndLogin(b.token, 'AGENT', 'P-C');
    const d = await api.createAndLogin(c.token, 'AGENT', 'P-D');
    const tenant = await api.createAndLogin(d.token, 'TENANT', 'P-T');
    const tenant2 = await api.createAndLogin(d.token, 'TENANT', 'P-T2');
    const user = await api.createAndLogin(tenant.token, 'USER', 'P-U');
    const put = (who: { token: string; account: { id: string } }, body: object) =>
      api.call('PUT', `/api/v1/accounts/${who.account.id}/price-list`, { token: who.token, body });
    expect((await put(a, { markupBps: 12000 })).status).toBe(200);
    expect((await put(b, { markupBps: 11500, overrides: { [model]: { inputPer1M: '3000000', outputPer1M: '10000000' } } })).status).toBe(200);
    expect((await put(c, { markupBps: 10000 })).status).toBe(200);
    expect((await put(d, { markupBps: 13330, childOverrides: { [tenant.account.id]: { [model]: { inputPer1M: '5000000', outputPer1M: '12000000' } } } })).status).toBe(200);
    expect((await put(tenant, { markupBps: 15000 })).status).toBe(200);

    const pays = async (who: { token: string; account: { id: string } }) => {
      const res = await api.call('GET', `/api/v1/accounts/${who.account.id}/prices`, { token: who.token });
      expect(res.status).toBe(200);
      return res.body.find((p: { model: string }) => p.model === model).pays;
    };
    // Worked by hand: A pays the catalog; B ×1.2; C B's override; D ×1.0; T D's per-child override; U ×1.5; T2 ×1.333.
    expect(await pays(a)).toMatchObject({ inputPer1M: '2000000', outputPer1M: '8000000', cachedInputPer1M: '1000000' });
    expect(await pays(b)).toMatchObject({ inputPer1M: '2400000', outputPer1M: '9600000', cachedInputPer1M: '1200000' });
    expect(await pays(c)).toMatchObject({ inputPer1M: '3000000', outputPer1M: '10000000', cachedInputPer1M: '3000000' });
    expect(await pays(d)).toMatchObject({ inputPer1M: '3000000', outputPer1M: '10000000' });
    expect(await pays(tenant)).toMatchObject({ inputPer1M: '5000000', outputPer1M: '12000000' });
    expect(await pays(user)).toMatchObject({ inputPer1M: '7500000', outputPer1M: '18000000', cachedInputPer1M: '7500000' });
    expect(await pays(tenant2)).toMatchObject({ inputPer1M: '3999000', outputPer1M: '13330000' });
    // D sees what it charges a child without an override.
    const dView = await api.call('GET', `/api/v1/accounts/${d.account.id}/prices`, { token: d.token });
    expect(dView.body.find((p: { model: string }) => p.model === model).charges).toMatchObject({ inputPer1M: '3999000', outputPer1M: '13330000' });
  });
});
