import { InvalidationBus } from '@tiergate/api-core';
import { ApiKeyAuthenticator } from '@tiergate/api-gateway';
import type { ApiKeyView, CreatedApiKey } from '@tiergate/contracts';
import { createHash, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Api } from './support/api-client.js';
import { startTestApp, type TestApp } from './support/test-app.js';

type Login = Awaited<ReturnType<Api['createAndLogin']>>;
const sha256 = (v: string) => createHash('sha256').update(v).digest('hex');

describe('API keys of users and tenants', () => {
  let t: TestApp;
  let api: Api;
  let master: string;
  let masterId: string;
  let agent: Login;
  let tenant: Login;
  let user: Login;
  let sibling: Login;
  let otherTenant: Login;
  let otherUser: Login;
  /** Every key the API handed out, to prove none is stored or echoed. */
  const issued: string[] = [];

  const keysOf = (id: string) => `/api/v1/accounts/${id}/api-keys`;
  const create = async (token: string, id: string, body: object = { name: 'key' }) => {
    const res = await api.call<CreatedApiKey>('POST', keysOf(id), { token, body });
    if (res.status === 201) issued.push(res.body.key);
    return res;
  };
  const list = (token: string, id: string) => api.call<{ items: ApiKeyView[]; nextCursor: string | null }>('GET', keysOf(id), { token });

  beforeAll(async () => {
    t = await startTestApp();
    api = new Api(t.baseUrl);
    const login = await api.loginMaster();
    master = login.accessToken;
    masterId = login.account.id;
    agent = await api.createAndLogin(master, 'AGENT', 'Key agent');
    tenant = await api.createAndLogin(agent.token, 'TENANT', 'Key tenant');
    user = await api.createAndLogin(tenant.token, 'USER', 'Key user');
    sibling = await api.createAndLogin(tenant.token, 'USER', 'Key sibling');
    const otherAgent = await api.createAndLogin(master, 'AGENT', 'Other agent');
    otherTenant = await api.createAndLogin(otherAgent.token, 'TENANT', 'Other tenant');
    otherUser = await api.createAndLogin(otherTenant.token, 'USER', 'Other user');
  });
  afterAll(() => t?.close());

  it('lets a user create its own key: shown once, stored as a SHA-256', async () => {
    const res = await create(user.token, user.account.id, { name: 'laptop', models: ['gpt-4o', 'gpt-4o'], allowChannelPin: true });
    expect(res.status).toBe(201);
    const key = res.body.key;
    expect(key).toMatch(/^tg-[A-Za-z0-9_-]{43,}$/);
    expect(res.body).toMatchObject({
      id: expect.any(String),
      accountId: user.account.id,
      name: 'laptop',
      prefix: key.slice(0, 11),
      models: ['gpt-4o'],
      ipAllowList: [],
      expiresAt: null,
      status: 'ACTIVE',
      allowChannelPin: true,
      revokedAt: null,
    });
    expect(res.body).not.toHaveProperty('keyHash');

    const { rows } = await t.db.sql.query('SELECT * FROM api_key WHERE id = $1', [res.body.id]);
    expect(rows[0].key_hash).toBe(sha256(key));
    expect(JSON.stringify(rows)).not.toContain(key);

    const listed = await list(user.token, user.account.id);
    expect(listed.status).toBe(200);
    expect(listed.body.items.map((k) => k.id)).toEqual([res.body.id]);
    expect(JSON.stringify(listed.body)).not.toContain(key);
    expect(JSON.stringify(listed.body)).not.toContain(sha256(key));
    expect(listed.body.items[0]).not.toHaveProperty('key');
  });

  it('lets a tenant manage its own keys and its users\' keys', async () => {
    expect((await create(tenant.token, tenant.account.id, { name: 'tenant backend' })).status).toBe(201);
    const forUser = await create(tenant.token, user.account.id, {
      name: 'issued by tenant',
      expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
      ipAllowList: ['10.0.0.0/8', '2001:DB8::1'],
    });
    expect(forUser.status).toBe(201);
    expect(forUser.body.ipAllowList).toEqual(['10.0.0.0/8', '2001:db8::1']);
    expect(forUser.body.expiresAt).toEqual(expect.any(String));
    const names = (await list(tenant.token, user.account.id)).body.items.map((k) => k.name);
    expect(names).toEqual(['issued by tenant', 'laptop']);
    // The user sees the key its tenant made for it.
    expect((await list(user.token, user.account.id)).body.items).toHaveLength(2);
    // A tenant's direct parent manages the tenant's keys too (the 'self-service' rule: self or child).
    expect((await create(agent.token, tenant.account.id, { name: 'from agent' })).status).toBe(201);
  });

  it('refuses ancestors further up, siblings and the other branch', async () => {
    // The agent is the user's grandparent: it may read the user, not manage its keys.
    expect((await create(agent.token, user.account.id)).status).toBe(403);
    expect((await list(agent.token, user.account.id)).status).toBe(403);
    expect((await create(master, user.account.id)).status).toBe(403);
    for (const [token, id] of [
      [sibling.token, user.account.id],
      [user.token, tenant.account.id],
      [otherTenant.token, user.account.id],
      [otherUser.token, user.account.id],
      [otherTenant.token, tenant.account.id],
      [tenant.token, otherUser.account.id],
    ] as const) {
      expect((await create(token, id)).status).toBe(404);
      expect((await list(token, id)).status).toBe(404);
    }
  });

  it('only USER and TENANT accounts own keys', async () => {
    const own = await create(agent.token, agent.account.id);
    expect(own.status).toBe(400);
    expect(own.body).toMatchObject({ error: { code: 'kind_cannot_own_keys' } });
    expect((await create(master, masterId)).status).toBe(400);
    expect((await list(master, agent.account.id)).status).toBe(400);
  });

  it('revokes a key (204), idempotently, and only through its owner or the owner\'s parent', async () => {
    const a = await create(user.token, user.account.id, { name: 'to revoke' });
    const b = await create(user.token, user.account.id, { name: 'revoked by tenant' });
    // Another branch, the sibling and the grandparent cannot.
    expect((await api.call('DELETE', `${keysOf(user.account.id)}/${a.body.id}`, { token: otherTenant.token })).status).toBe(404);
    expect((await api.call('DELETE', `${keysOf(user.account.id)}/${a.body.id}`, { token: sibling.token })).status).toBe(404);
    expect((await api.call('DELETE', `${keysOf(user.account.id)}/${a.body.id}`, { token: agent.token })).status).toBe(403);
    // A key addressed through the wrong account is not found.
    expect((await api.call('DELETE', `${keysOf(sibling.account.id)}/${a.body.id}`, { token: tenant.token })).status).toBe(404);
    expect((await api.call('DELETE', `${keysOf(user.account.id)}/${randomUUID()}`, { token: user.token })).status).toBe(404);
    expect((await api.call('DELETE', `${keysOf(user.account.id)}/not-a-uuid`, { token: user.token })).status).toBe(404);

    const before = (await list(user.token, user.account.id)).body.items.find((k) => k.id === a.body.id)!;
    expect(before.status).toBe('ACTIVE');
    expect((await api.call('DELETE', `${keysOf(user.account.id)}/${a.body.id}`, { token: user.token })).status).toBe(204);
    expect((await api.call('DELETE', `${keysOf(user.account.id)}/${a.body.id}`, { token: user.token })).status).toBe(204);
    expect((await api.call('DELETE', `${keysOf(user.account.id)}/${b.body.id}`, { token: tenant.token })).status).toBe(204);
    const after = (await list(user.token, user.account.id)).body.items;
    expect(after.find((k) => k.id === a.body.id)).toMatchObject({ status: 'REVOKED', revokedAt: expect.any(String) });
    expect(after.find((k) => k.id === b.body.id)).toMatchObject({ status: 'REVOKED' });

    const audit = await t.db.sql.query(`SELECT action, actor_id FROM audit_log WHERE action = 'api-key.revoke' AND target_id = $1 ORDER BY id`, [user.account.id]);
    expect(audit.rows).toEqual([
      { action: 'api-key.revoke', actor_id: user.account.id },
      { action: 'api-key.revoke', actor_id: tenant.account.id },
    ]);
  });

  it('refuses bad input with 400', async () => {
    const bad: object[] = [
      {},
      { name: '' },
      { name: 'x'.repeat(121) },
      { name: 'k', unknown: 1 },
      { name: 'k', models: 'gpt-4o' },
      { name: 'k', models: ['bad model'] },
      { name: 'k', models: [7] },
      { name: 'k', ipAllowList: ['not-an-ip'] },
      { name: 'k', ipAllowList: ['10.0.0.0/33'] },
      { name: 'k', expiresAt: 'tomorrow' },
      { name: 'k', expiresAt: new Date(Date.now() - 60_000).toISOString() },
      { name: 'k', allowChannelPin: 'yes' },
    ];
    for (const body of bad) {
      const res = await create(user.token, user.account.id, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect((res.body as unknown as { error: { code: string } }).error.code, JSON.stringify(body)).toEqual(expect.any(String));
    }
    expect((await api.call('GET', `${keysOf(user.account.id)}?limit=0`, { token: user.token })).status).toBe(400);
    expect((await api.call('GET', `${keysOf(user.account.id)}?cursor=garbage`, { token: user.token })).status).toBe(400);
  });

  it('pages the list', async () => {
    const owner = await api.createAndLogin(tenant.token, 'USER', 'Pager');
    for (let i = 0; i < 3; i++) await create(owner.token, owner.account.id, { name: `p${i}` });
    const first = await api.call('GET', `${keysOf(owner.account.id)}?limit=2`, { token: owner.token });
    const second = await api.call('GET', `${keysOf(owner.account.id)}?limit=2&cursor=${first.body.nextCursor}`, { token: owner.token });
    expect([...first.body.items, ...second.body.items].map((k: ApiKeyView) => k.name)).toEqual(['p2', 'p1', 'p0']);
    expect(second.body.nextCursor).toBeNull();
  });

  it('audits every write without the key or its hash', async () => {
    const { rows } = await t.db.sql.query(`SELECT action, actor_id, target_id, after::text AS after FROM audit_log WHERE action LIKE 'api-key.%'`);
    expect(rows.filter((r) => r.action === 'api-key.create').length).toBe(issued.length);
    const dump = JSON.stringify(rows);
    for (const key of issued) {
      expect(dump).not.toContain(key);
      expect(dump).not.toContain(sha256(key));
    }
  });

  describe('authentication of relay requests', () => {
    let auth: ApiKeyAuthenticator;
    beforeAll(() => {
      auth = t.app.get(ApiKeyAuthenticator);
    });

    /** With Redis the invalidation comes back through pub/sub: give it a moment. */
    const eventually = async (check: () => Promise<void>) => {
      const until = Date.now() + 3_000;
      for (;;) {
        try {
          return await check();
        } catch (err) {
          if (Date.now() > until) throw err;
          await new Promise((r) => setTimeout(r, 50));
        }
      }
    };

    it('accepts a live key, refuses unknown, revoked and out-of-range ones', async () => {
      const owner = await api.createAndLogin(tenant.token, 'USER', 'Relay user');
      const k = await create(owner.token, owner.account.id, { name: 'relay', models: ['gpt-4o'] });
      await expect(auth.authenticate(k.body.key, '127.0.0.1')).resolves.toEqual({
        keyId: k.body.id,
        accountId: owner.account.id,
        models: ['gpt-4o'],
        allowChannelPin: false,
        rpmLimit: null,
        tpmLimit: null,
        quotaRules: [],
      });
      await expect(auth.authenticate(`tg-${'A'.repeat(43)}`, '127.0.0.1')).rejects.toMatchObject({ code: 'invalid_api_key' });

      const limited = await create(owner.token, owner.account.id, { name: 'office', ipAllowList: ['192.0.2.0/24'] });
      await expect(auth.authenticate(limited.body.key, '192.0.2.55')).resolves.toMatchObject({ keyId: limited.body.id });
      await expect(auth.authenticate(limited.body.key, '127.0.0.1')).rejects.toMatchObject({ code: 'ip_not_allowed' });

      // Revocation drops the cached entry at once.
      expect((await api.call('DELETE', `${keysOf(owner.account.id)}/${k.body.id}`, { token: owner.token })).status).toBe(204);
      await expect(auth.authenticate(k.body.key, '127.0.0.1')).rejects.toMatchObject({ code: 'invalid_api_key' });
      const { rows } = await t.db.sql.query('SELECT last_used_at FROM api_key WHERE id = $1', [limited.body.id]);
      expect(rows[0].last_used_at).toBeInstanceOf(Date);
    });

    it('refuses keys whose owner is under a suspended account', async () => {
      const t2 = await api.createAndLogin(agent.token, 'TENANT', 'Suspendable tenant');
      const owner = await api.createAndLogin(t2.token, 'USER', 'Suspendable user');
      const cached = await create(owner.token, owner.account.id, { name: 'cached' });
      const fresh = await create(owner.token, owner.account.id, { name: 'fresh' });
      await auth.authenticate(cached.body.key, '127.0.0.1');

      expect((await api.call('PATCH', `/api/v1/accounts/${t2.account.id}`, { token: agent.token, body: { status: 'SUSPENDED' } })).status).toBe(200);
      await expect(auth.authenticate(fresh.body.key, '127.0.0.1')).rejects.toMatchObject({ code: 'account_suspended' });
      // An 'account' invalidation drops cached principals on every replica.
      await t.app.get(InvalidationBus).publish({ kind: 'account', id: t2.account.id });
      await eventually(() => expect(auth.authenticate(cached.body.key, '127.0.0.1')).rejects.toMatchObject({ code: 'account_suspended' }));

      expect((await api.call('PATCH', `/api/v1/accounts/${t2.account.id}`, { token: agent.token, body: { status: 'ACTIVE' } })).status).toBe(200);
      await expect(auth.authenticate(fresh.body.key, '127.0.0.1')).resolves.toMatchObject({ accountId: owner.account.id });
    });
  });
});
