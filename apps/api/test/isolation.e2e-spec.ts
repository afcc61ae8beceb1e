import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Api } from './support/api-client.js';
import { listRoutes } from './support/routes.js';
import { startTestApp, type TestApp } from './support/test-app.js';

interface Actor {
  label: string;
  token: string;
  id: string;
  /** An account the actor legitimately manages, used as the "own" side of moves. */
  ownChildId?: string;
}

/**
 * Two branches under the master. Every actor of branch A, at every tier, tries every management
 * route on every account of branch B and on its own ancestors: each try is refused (403/404)
 * and nothing changes.
 */
describe('isolation between branches', () => {
  let t: TestApp;
  let api: Api;
  const actors: Actor[] = [];
  const foreign: { label: string; id: string }[] = [];
  /** Each account's balance rule id, so rule routes aim at a real rule. */
  const mainRuleOf = new Map<string, string>();
  /** A live API key of each foreign USER/TENANT, so revocations aim at a real key. */
  const apiKeyOf = new Map<string, string>();

  const attempts: { route: string; run: (a: Actor, targetId: string) => Promise<number> }[] = [
    { route: 'GET /api/v1/accounts/{id}', run: async (a, id) => (await api.call('GET', `/api/v1/accounts/${id}`, { token: a.token })).status },
    { route: 'GET /api/v1/accounts/{id}/children', run: async (a, id) => (await api.call('GET', `/api/v1/accounts/${id}/children`, { token: a.token })).status },
    { route: 'PATCH /api/v1/accounts/{id} (rename)', run: async (a, id) => (await api.call('PATCH', `/api/v1/accounts/${id}`, { token: a.token, body: { name: 'pwned' } })).status },
    { route: 'PATCH /api/v1/accounts/{id} (suspend)', run: async (a, id) => (await api.call('PATCH', `/api/v1/accounts/${id}`, { token: a.token, body: { status: 'SUSPENDED' } })).status },
    {
      route: 'POST /api/v1/accounts/{id}/move (take theirs)',
      run: async (a, id) => (await api.call('POST', `/api/v1/accounts/${id}/move`, { token: a.token, body: { parentId: a.id } })).status,
    },
    {
      route: 'POST /api/v1/accounts/{id}/move (push mine under theirs)',
      run: async (a, id) =>
        a.ownChildId
          ? (await api.call('POST', `/api/v1/accounts/${a.ownChildId}/move`, { token: a.token, body: { parentId: id } })).status
          : 404,
    },
    { route: 'GET /api/v1/accounts/{id}/quota', run: async (a, id) => (await api.call('GET', `/api/v1/accounts/${id}/quota`, { token: a.token })).status },
    {
      route: 'POST /api/v1/accounts/{id}/quota/rules',
      run: async (a, id) =>
        (await api.call('POST', `/api/v1/accounts/${id}/quota/rules`, { token: a.token, body: { unit: 'REQUESTS', window: { kind: 'LIFETIME' }, limit: '1' } })).status,
    },
    {
      route: 'PATCH /api/v1/accounts/{id}/quota/rules/{ruleId}',
      run: async (a, id) => (await api.call('PATCH', `/api/v1/accounts/${id}/quota/rules/${mainRuleOf.get(id)}`, { token: a.token, body: { limit: '1' } })).status,
    },
    {
      route: 'DELETE /api/v1/accounts/{id}/quota/rules/{ruleId}',
      run: async (a, id) => (await api.call('DELETE', `/api/v1/accounts/${id}/quota/rules/${mainRuleOf.get(id)}`, { token: a.token })).status,
    },
    { route: 'POST /api/v1/accounts/{id}/grants', run: async (a, id) => (await api.call('POST', `/api/v1/accounts/${id}/grants`, { token: a.token, body: { delta: '1000' } })).status },
    { route: 'GET /api/v1/accounts/{id}/grants', run: async (a, id) => (await api.call('GET', `/api/v1/accounts/${id}/grants`, { token: a.token })).status },
    { route: 'PUT /api/v1/accounts/{id}/settings', run: async (a, id) => (await api.call('PUT', `/api/v1/accounts/${id}/settings`, { token: a.token, body: { oversell: true } })).status },
    { route: 'GET /api/v1/accounts/{id}/prices', run: async (a, id) => (await api.call('GET', `/api/v1/accounts/${id}/prices`, { token: a.token })).status },
    { route: 'GET /api/v1/accounts/{id}/price-list', run: async (a, id) => (await api.call('GET', `/api/v1/accounts/${id}/price-list`, { token: a.token })).status },
    { route: 'PUT /api/v1/accounts/{id}/price-list', run: async (a, id) => (await api.call('PUT', `/api/v1/accounts/${id}/price-list`, { token: a.token, body: { markupBps: 1 } })).status },
    {
      route: 'POST /api/v1/accounts/{id}/redemption-codes',
      run: async (a, id) => (await api.call('POST', `/api/v1/accounts/${id}/redemption-codes`, { token: a.token, body: { value: '1000000', count: 1 } })).status,
    },
    { route: 'GET /api/v1/accounts/{id}/redemption-codes', run: async (a, id) => (await api.call('GET', `/api/v1/accounts/${id}/redemption-codes`, { token: a.token })).status },
    { route: 'GET /api/v1/accounts/{id}/rate-limits', run: async (a, id) => (await api.call('GET', `/api/v1/accounts/${id}/rate-limits`, { token: a.token })).status },
    { route: 'PUT /api/v1/accounts/{id}/rate-limits', run: async (a, id) => (await api.call('PUT', `/api/v1/accounts/${id}/rate-limits`, { token: a.token, body: { rpmLimit: 1 } })).status },
    { route: 'POST /api/v1/accounts/{id}/api-keys', run: async (a, id) => (await api.call('POST', `/api/v1/accounts/${id}/api-keys`, { token: a.token, body: { name: 'intruder' } })).status },
    { route: 'GET /api/v1/accounts/{id}/api-keys', run: async (a, id) => (await api.call('GET', `/api/v1/accounts/${id}/api-keys`, { token: a.token })).status },
    {
      route: 'GET /api/v1/accounts/{id}/api-keys/{keyId}/quota',
      run: async (a, id) => (await api.call('GET', `/api/v1/accounts/${id}/api-keys/${apiKeyOf.get(id) ?? randomUUID()}/quota`, { token: a.token })).status,
    },
    {
      route: 'POST /api/v1/accounts/{id}/api-keys/{keyId}/quota/rules',
      run: async (a, id) =>
        (
          await api.call('POST', `/api/v1/accounts/${id}/api-keys/${apiKeyOf.get(id) ?? randomUUID()}/quota/rules`, {
            token: a.token,
            body: { unit: 'REQUESTS', window: { kind: 'LIFETIME' }, limit: '1' },
          })
        ).status,
    },
    {
      route: 'PATCH /api/v1/accounts/{id}/api-keys/{keyId}/quota/rules/{ruleId}',
      run: async (a, id) =>
        (await api.call('PATCH', `/api/v1/accounts/${id}/api-keys/${apiKeyOf.get(id) ?? randomUUID()}/quota/rules/${randomUUID()}`, { token: a.token, body: { limit: '1' } })).status,
    },
    {
      route: 'DELETE /api/v1/accounts/{id}/api-keys/{keyId}/quota/rules/{ruleId}',
      run: async (a, id) => (await api.call('DELETE', `/api/v1/accounts/${id}/api-keys/${apiKeyOf.get(id) ?? randomUUID()}/quota/rules/${randomUUID()}`, { token: a.token })).status,
    },
    {
      route: 'PATCH /api/v1/accounts/{id}/api-keys/{keyId}',
      run: async (a, id) => (await api.call('PATCH', `/api/v1/accounts/${id}/api-keys/${apiKeyOf.get(id) ?? randomUUID()}`, { token: a.token, body: { rpmLimit: 1 } })).status,
    },
    {
      route: 'DELETE /api/v1/accounts/{id}/api-keys/{keyId}',
      run: async (a, id) => (await api.call('DELETE', `/api/v1/accounts/${id}/api-keys/${apiKeyOf.get(id) ?? randomUUID()}`, { token: a.token })).status,
    },
    { route: 'GET /api/v1/accounts/{id}/usage', run: async (a, id) => (await api.call('GET', `/api/v1/accounts/${id}/usage?groupBy=child`, { token: a.token })).status },
    { route: 'GET /api/v1/accounts/{id}/usage/export', run: async (a, id) => (await api.call('GET', `/api/v1/accounts/${id}/usage/export`, { token: a.token })).status },
    { route: 'GET /api/v1/accounts/{id}/requests', run: async (a, id) => (await api.call('GET', `/api/v1/accounts/${id}/requests`, { token: a.token })).status },
    { route: 'GET /api/v1/accounts/{id}/requests/export', run: async (a, id) => (await api.call('GET', `/api/v1/accounts/${id}/requests/export`, { token: a.token })).status },
    {
      route: 'POST /api/v1/accounts (create under theirs)',
      run: async (a, id) =>
        (
          await api.call('POST', '/api/v1/accounts', {
            token: a.token,
            body: { kind: 'USER', name: 'intruder', username: `intruder-${Math.random().toString(36).slice(2, 10)}`, password: 'long-enough-password', parentId: id },
          })
        ).status,
    },
  ];

  beforeAll(async () => {
    t = await startTestApp();
    api = new Api(t.baseUrl);
    const master = await api.loginMaster();
    const m = master.accessToken;

    const agentA = await api.createAndLogin(m, 'AGENT', 'A');
    const subA = await api.createAndLogin(agentA.token, 'AGENT', 'A sub');
    const subAChild = await api.createAndLogin(subA.token, 'AGENT', 'A sub child');
    const tenantA = await api.createAndLogin(subA.token, 'TENANT', 'A tenant');
    const userA = await api.createAndLogin(tenantA.token, 'USER', 'A user');
    const userA2 = await api.createAndLogin(tenantA.token, 'USER', 'A user 2');
    const tenantTop = await api.createAndLogin(m, 'TENANT', 'Top tenant');
    const tenantTopUser = await api.createAndLogin(tenantTop.token, 'USER', 'Top tenant user');

    const agentB = await api.createAndLogin(m, 'AGENT', 'B');
    const subB = await api.createAndLogin(agentB.token, 'AGENT', 'B sub');
    const tenantB = await api.createAndLogin(subB.token, 'TENANT', 'B tenant');
    const userB = await api.createAndLogin(tenantB.token, 'USER', 'B user');

    actors.push(
      { label: 'agent (top)', token: agentA.token, id: agentA.account.id, ownChildId: subA.account.id },
      { label: 'agent (nested)', token: subA.token, id: subA.account.id, ownChildId: subAChild.account.id },
      { label: 'tenant', token: tenantA.token, id: tenantA.account.id, ownChildId: userA.account.id },
      { label: 'tenant (under master)', token: tenantTop.token, id: tenantTop.account.id, ownChildId: tenantTopUser.account.id },
      { label: 'user', token: userA.token, id: userA.account.id },
    );
    foreign.push(
      { label: 'B agent', id: agentB.account.id },
      { label: 'B sub-agent', id: subB.account.id },
      { label: 'B tenant', id: tenantB.account.id },
      { label: 'B user', id: userB.account.id },
      { label: 'master', id: master.account.id },
      { label: "A's sibling user", id: userA2.account.id },
    );
    const { rows } = await t.db.sql.query<{ account_id: string; id: string }>(`SELECT account_id, id FROM quota_rule`);
    for (const r of rows) mainRuleOf.set(r.account_id, r.id);
    for (const [token, owner] of [
      [tenantB.token, tenantB.account.id],
      [userB.token, userB.account.id],
      [tenantA.token, userA2.account.id],
    ] as const) {
      const key = await api.call('POST', `/api/v1/accounts/${owner}/api-keys`, { token, body: { name: 'victim' } });
      if (key.status !== 201) throw new Error(`key for ${owner}: ${key.status}`);
      apiKeyOf.set(owner, key.body.id);
    }
    // A's own ancestors are foreign to the nested actors too.
    (actors[1] as Actor & { ancestors?: string[] }).ancestors = [agentA.account.id];
  });
  afterAll(() => t?.close());

  it('covers every account-management route Nest registered', () => {
    const covered = new Set(attempts.map((a) => a.route.split(' (')[0]));
    const managed = listRoutes(t.app)
      .filter((r) => r.path.startsWith('/api/v1/accounts'))
      .map((r) => `${r.method} ${r.path}`);
    expect(managed.filter((r) => !covered.has(r))).toEqual([]);
  });

  it('refuses every attempt, at every tier, and changes nothing', async () => {
    const snapshot = async () =>
      [
        ...(await t.db.sql.query('SELECT id, name, status, parent_id, oversell, rpm_limit, tpm_limit FROM account ORDER BY id')).rows,
        ...(await t.db.sql.query('SELECT count(*)::int AS closure FROM account_closure')).rows,
        ...(await t.db.sql.query('SELECT id, account_id, limit_value::text FROM quota_rule ORDER BY id')).rows,
        ...(await t.db.sql.query('SELECT count(*)::int AS grants FROM grant_journal')).rows,
        ...(await t.db.sql.query('SELECT count(*)::int AS key_rules FROM api_key_quota_rule')).rows,
        ...(await t.db.sql.query('SELECT count(*)::int AS codes FROM redemption_code')).rows,
        ...(await t.db.sql.query('SELECT count(*)::int AS lists FROM price_list')).rows,
        ...(await t.db.sql.query('SELECT id, account_id, name, status, revoked_at, rpm_limit, tpm_limit, models, expires_at FROM api_key ORDER BY id')).rows,
      ];
    const before = await snapshot();
    const failures: string[] = [];
    for (const actor of actors) {
      const extra = ((actor as Actor & { ancestors?: string[] }).ancestors ?? []).map((id) => ({ label: 'own ancestor', id }));
      for (const target of [...foreign, ...extra]) {
        // The user's sibling is not foreign for its tenant, which may manage it.
        if (target.label === "A's sibling user" && actor.label.startsWith('agent')) continue;
        if (target.label === "A's sibling user" && actor.label === 'tenant') continue;
        for (const attempt of attempts) {
          const status = await attempt.run(actor, target.id);
          if (status !== 403 && status !== 404) failures.push(`${actor.label} → ${attempt.route} on ${target.label}: ${status}`);
        }
      }
    }
    expect(failures).toEqual([]);
    expect(await snapshot()).toEqual(before);
  });
});
