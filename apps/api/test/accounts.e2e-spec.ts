import type { AccountView } from '@tiergate/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Api } from './support/api-client.js';
import { startTestApp, type TestApp } from './support/test-app.js';

describe('accounts', () => {
  let t: TestApp;
  let api: Api;
  let masterToken: string;
  let masterId: string;

  beforeAll(async () => {
    t = await startTestApp();
    api = new Api(t.baseUrl);
    const login = await api.loginMaster();
    masterToken = login.accessToken;
    masterId = login.account.id;
  });
  afterAll(() => t?.close());

  it('builds 8 nested agents → tenant → user, each created by its own parent', async () => {
    let token = masterToken;
    let parentId = masterId;
    const chain: string[] = [masterId];
    for (let level = 1; level <= 8; level++) {
      const agent = await api.createAndLogin(token, 'AGENT', `Agent L${level}`);
      expect(agent.account).toMatchObject({ kind: 'AGENT', parentId, status: 'ACTIVE' });
      token = agent.token;
      parentId = agent.account.id;
      chain.push(parentId);
    }
    const tenant = await api.createAndLogin(token, 'TENANT', 'Deep Tenant');
    const user = await api.createAndLogin(tenant.token, 'USER', 'Deep User');
    chain.push(tenant.account.id, user.account.id);
    expect(user.account.parentId).toBe(tenant.account.id);

    // The closure table holds the whole chain at the right depths.
    const { rows } = await t.db.sql.query<{ ancestor_id: string; depth: number }>(
      'SELECT ancestor_id, depth FROM account_closure WHERE descendant_id = $1 ORDER BY depth DESC',
      [user.account.id],
    );
    expect(rows.map((r) => r.ancestor_id)).toEqual(chain);
    expect(rows.map((r) => r.depth)).toEqual(chain.map((_, i) => chain.length - 1 - i));

    // The master reads the deepest user; the user reads itself.
    expect((await api.call('GET', `/api/v1/accounts/${user.account.id}`, { token: masterToken })).status).toBe(200);
    const self = await api.call<AccountView>('GET', `/api/v1/accounts/${user.account.id}`, { token: user.token });
    expect(self.body.name).toBe('Deep User');
  });

  it('creates under a descendant when parentId is given, and enforces the kind rules', async () => {
    const agent = await api.createAndLogin(masterToken, 'AGENT', 'KindAgent');
    const tenant = await api.createAndLogin(masterToken, 'TENANT', 'KindTenant', agent.account.id);
    expect(tenant.account.parentId).toBe(agent.account.id);

    const cases: [string, string, string | undefined][] = [
      ['USER', masterToken, undefined], // a user belongs under a tenant
      ['USER', agent.token, undefined],
      ['AGENT', tenant.token, undefined], // tenants have users only
      ['TENANT', tenant.token, undefined],
    ];
    for (const [kind, token, parentId] of cases) {
      const res = await api.call('POST', '/api/v1/accounts', {
        token,
        body: { kind, name: 'bad', username: `bad-${Math.random().toString(36).slice(2)}`, password: 'long-enough-password', parentId },
      });
      expect(res.status, `${kind}`).toBe(400);
      expect(res.body.error.code).toBe('kind_not_allowed');
    }
    const user = await api.createAndLogin(tenant.token, 'USER', 'KindUser');
    const underUser = await api.call('POST', '/api/v1/accounts', {
      token: masterToken,
      body: { kind: 'USER', name: 'x', username: 'under-user-x', password: 'long-enough-password', parentId: user.account.id },
    });
    expect(underUser.status).toBe(400);
    const master = await api.call('POST', '/api/v1/accounts', {
      token: masterToken,
      body: { kind: 'MASTER', name: 'x', username: 'second-master', password: 'long-enough-password' },
    });
    expect(master.status).toBe(400);
  });

  it('refuses a taken username with 409 and keeps no half-created account', async () => {
    const body = { kind: 'AGENT', name: 'Dup', username: 'dup-user', password: 'long-enough-password' };
    expect((await api.call('POST', '/api/v1/accounts', { token: masterToken, body })).status).toBe(201);
    const before = await t.db.sql.query('SELECT count(*)::int AS n FROM account');
    const again = await api.call('POST', '/api/v1/accounts', { token: masterToken, body: { ...body, username: 'DUP-USER' } });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('username_taken');
    const after = await t.db.sql.query('SELECT count(*)::int AS n FROM account');
    expect(after.rows[0].n).toBe(before.rows[0].n);
  });

  it('lists children with cursor pagination', async () => {
    const parent = await api.createAndLogin(masterToken, 'AGENT', 'Pager');
    const created: string[] = [];
    for (let i = 0; i < 7; i++) created.push((await api.createAndLogin(parent.token, 'TENANT', `Page T${i}`)).account.id);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor ? `?limit=3&cursor=${cursor}` : '?limit=3';
      const res = await api.call('GET', `/api/v1/accounts/${parent.account.id}/children${query}`, { token: parent.token });
      expect(res.status).toBe(200);
      expect(res.body.items.length).toBeLessThanOrEqual(3);
      seen.push(...res.body.items.map((a: AccountView) => a.id));
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(seen.sort()).toEqual(created.sort());

    const bad = await api.call('GET', `/api/v1/accounts/${parent.account.id}/children?cursor=garbage`, { token: parent.token });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('invalid_cursor');
    const tooMany = await api.call('GET', `/api/v1/accounts/${parent.account.id}/children?limit=100000`, { token: parent.token });
    expect(tooMany.status).toBe(400);
  });

  it('renames, suspends and resumes a child; never itself; every change is audited', async () => {
    const agent = await api.createAndLogin(masterToken, 'AGENT', 'Renamer');
    const tenant = await api.createAndLogin(agent.token, 'TENANT', 'Old Name');
    const renamed = await api.call('PATCH', `/api/v1/accounts/${tenant.account.id}`, { token: agent.token, body: { name: 'New Name' } });
    expect(renamed.status).toBe(200);
    expect(renamed.body.name).toBe('New Name');

    const selfRename = await api.call('PATCH', `/api/v1/accounts/${agent.account.id}`, { token: agent.token, body: { name: 'Me' } });
    expect(selfRename.status).toBe(403);
    const selfSuspend = await api.call('PATCH', `/api/v1/accounts/${agent.account.id}`, { token: agent.token, body: { status: 'SUSPENDED' } });
    expect(selfSuspend.status).toBe(403);
    const empty = await api.call('PATCH', `/api/v1/accounts/${tenant.account.id}`, { token: agent.token, body: {} });
    expect(empty.status).toBe(400);

    const { rows } = await t.db.sql.query('SELECT action, actor_id, before, after FROM audit_log WHERE target_id = $1 ORDER BY id', [tenant.account.id]);
    expect(rows.map((r) => r.action)).toEqual(['account.create', 'account.rename']);
    expect(rows[1].actor_id).toBe(agent.account.id);
    expect(rows[1].before.name).toBe('Old Name');
    expect(rows[1].after.name).toBe('New Name');
  });

  it('moves a subtree within the mover’s tree, never under its own descendant', async () => {
    const a = await api.createAndLogin(masterToken, 'AGENT', 'Move A');
    const b = await api.createAndLogin(masterToken, 'AGENT', 'Move B');
    const a1 = await api.createAndLogin(a.token, 'AGENT', 'Move A1');
    const a1t = await api.createAndLogin(a1.token, 'TENANT', 'Move A1 T');
    const moved = await api.call('POST', `/api/v1/accounts/${a1.account.id}/move`, { token: masterToken, body: { parentId: b.account.id } });
    expect(moved.status).toBe(200);
    expect(moved.body.parentId).toBe(b.account.id);
    const { rows } = await t.db.sql.query('SELECT ancestor_id, depth FROM account_closure WHERE descendant_id = $1 ORDER BY depth', [a1t.account.id]);
    expect(rows.map((r) => r.ancestor_id)).toEqual([a1t.account.id, a1.account.id, b.account.id, (await api.loginMaster()).account.id]);
    // B now reads A1's tenant; A no longer does.
    expect((await api.call('GET', `/api/v1/accounts/${a1t.account.id}`, { token: b.token })).status).toBe(200);
    expect((await api.call('GET', `/api/v1/accounts/${a1t.account.id}`, { token: a.token })).status).toBe(404);

    const cycle = await api.call('POST', `/api/v1/accounts/${b.account.id}/move`, { token: masterToken, body: { parentId: a1.account.id } });
    expect(cycle.status).toBe(409);
    expect(cycle.body.error.code).toBe('move_into_own_subtree');
    const self = await api.call('POST', `/api/v1/accounts/${b.account.id}/move`, { token: masterToken, body: { parentId: b.account.id } });
    expect(self.status).toBe(409);
    const wrongKind = await api.call('POST', `/api/v1/accounts/${a1.account.id}/move`, { token: masterToken, body: { parentId: a1t.account.id } });
    expect(wrongKind.status).toBe(400);
  });

  describe('bad input gets a clear 4xx, never a 500', () => {
    const cases: { name: string; method: string; path: (id: string) => string; body?: unknown; raw?: string; contentType?: string; code?: string }[] = [
      { name: 'malformed JSON', method: 'POST', path: () => '/api/v1/accounts', raw: '{"kind": "AGENT",', code: 'invalid_json' },
      { name: 'JSON array body', method: 'POST', path: () => '/api/v1/accounts', raw: '[1,2]' },
      { name: 'unknown field', method: 'POST', path: () => '/api/v1/accounts', body: { kind: 'AGENT', name: 'x', username: 'unknown-field', password: 'long-enough-password', admin: true }, code: 'invalid_request' },
      { name: 'wrong type', method: 'POST', path: () => '/api/v1/accounts', body: { kind: 'AGENT', name: 42, username: 'wrong-type', password: 'long-enough-password' }, code: 'invalid_request' },
      { name: 'missing fields', method: 'POST', path: () => '/api/v1/accounts', body: {}, code: 'invalid_request' },
      { name: 'bad kind', method: 'POST', path: () => '/api/v1/accounts', body: { kind: 'GOD', name: 'x', username: 'bad-kind', password: 'long-enough-password' } },
      { name: 'short password', method: 'POST', path: () => '/api/v1/accounts', body: { kind: 'AGENT', name: 'x', username: 'short-pw', password: 'short' } },
      { name: 'bad username', method: 'POST', path: () => '/api/v1/accounts', body: { kind: 'AGENT', name: 'x', username: ' white space ', password: 'long-enough-password' } },
      { name: 'bad parent id', method: 'POST', path: () => '/api/v1/accounts', body: { kind: 'AGENT', name: 'x', username: 'bad-parent', password: 'long-enough-password', parentId: 'nope' } },
      { name: 'bad id in path', method: 'GET', path: () => '/api/v1/accounts/not-a-uuid' },
      { name: 'unknown id', method: 'GET', path: () => '/api/v1/accounts/00000000-0000-4000-8000-000000000000' },
      { name: 'bad status', method: 'PATCH', path: (id) => `/api/v1/accounts/${id}`, body: { status: 'DELETED' } },
      { name: 'move without parent', method: 'POST', path: (id) => `/api/v1/accounts/${id}/move`, body: {} },
      { name: 'text body', method: 'POST', path: () => '/api/v1/accounts', raw: 'hello', contentType: 'text/plain' },
      { name: 'unknown route', method: 'GET', path: () => '/api/v1/nothing-here' },
      { name: 'login with number', method: 'POST', path: () => '/api/v1/auth/login', body: { username: 1, password: 2 } },
    ];
    for (const c of cases) {
      it(c.name, async () => {
        const target = (await api.createAndLogin(masterToken, 'AGENT', 'BadInput')).account.id;
        const before = await t.db.sql.query('SELECT count(*)::int AS n FROM account');
        const res = await api.call(c.method, c.path(target), {
          token: masterToken,
          body: c.body,
          rawBody: c.raw,
          headers: c.contentType ? { 'content-type': c.contentType } : undefined,
        });
        expect(res.status, JSON.stringify(res.body)).toBeGreaterThanOrEqual(400);
        expect(res.status).toBeLessThan(500);
        expect(res.body.error).toMatchObject({ code: expect.any(String), message: expect.any(String), id: expect.any(String) });
        if (c.code) expect(res.body.error.code, JSON.stringify(res.body)).toBe(c.code);
        const after = await t.db.sql.query('SELECT count(*)::int AS n FROM account');
        expect(after.rows[0].n).toBe(before.rows[0].n);
      });
    }
  });

  it('serves /health, /ready and the OpenAPI document', async () => {
    expect((await api.call('GET', '/health')).body).toEqual({ status: 'ok' });
    const ready = await api.call('GET', '/ready');
    expect(ready.status).toBe(200);
    expect(ready.body.checks.postgres).toBe('ok');
    const doc = await api.call('GET', '/docs/openapi.json');
    expect(doc.status).toBe(200);
    expect(Object.keys(doc.body.paths)).toEqual(expect.arrayContaining(['/api/v1/auth/login', '/api/v1/accounts/{id}/move']));
    // Request schemas are the validation rules themselves.
    expect(doc.body.components.schemas.CreateAccountDto.required).toEqual(expect.arrayContaining(['kind', 'name', 'username', 'password']));
    expect(doc.body.components.schemas.CreateAccountDto.properties.parentId).toBeDefined();
  });
});
