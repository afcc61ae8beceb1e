import { ChannelsRepository } from '@tiergate/api-gateway';
import type { ChannelView } from '@tiergate/contracts';
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Api, type ApiResponse } from './support/api-client.js';
import { listRoutes } from './support/routes.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/** A fresh upstream key; its middle part is what must never leak. */
const upstreamKey = (prefix = 'sk-') => `${prefix}${randomBytes(24).toString('base64url')}`;

describe('channels (master only)', () => {
  let t: TestApp;
  let api: Api;
  let master: string;
  const others: { label: string; token: string }[] = [];
  /** Every raw upstream key sent, and every response body received. */
  const secrets: string[] = [];
  const responses: string[] = [];

  const call = async <T = any>(method: string, path: string, opts: { token?: string; body?: unknown } = {}): Promise<ApiResponse<T>> => {
    const res = await api.call<T>(method, path, opts);
    responses.push(typeof res.body === 'string' ? res.body : JSON.stringify(res.body ?? ''));
    return res;
  };
  const createChannel = async (body: Record<string, unknown> = {}) => {
    const keys = body.keys ?? [upstreamKey(), upstreamKey('sk-ant-')];
    const res = await call<ChannelView>('POST', '/api/v1/channels', {
      token: master,
      body: { name: 'OpenAI main', provider: 'openai', baseUrl: 'https://api.openai.com/v1/', models: ['gpt-4o', 'gpt-4o-mini'], ...body, keys },
    });
    if (res.status === 201) secrets.push(...(keys as string[]));
    return res;
  };

  beforeAll(async () => {
    t = await startTestApp();
    api = new Api(t.baseUrl);
    master = (await api.loginMaster()).accessToken;
    const agent = await api.createAndLogin(master, 'AGENT', 'Chan agent');
    const tenant = await api.createAndLogin(agent.token, 'TENANT', 'Chan tenant');
    const user = await api.createAndLogin(tenant.token, 'USER', 'Chan user');
    others.push({ label: 'agent', token: agent.token }, { label: 'tenant', token: tenant.token }, { label: 'user', token: user.token });
  });
  afterAll(() => t?.close());

  it('creates a channel with defaults and shows its keys masked', async () => {
    const keys = [upstreamKey(), upstreamKey('sk-ant-')];
    const res = await createChannel({ keys, modelMapping: { 'gpt-4o': 'gpt-4o-2024-08-06' }, tags: ['fast', ' fast '] });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      id: expect.any(String),
      name: 'OpenAI main',
      provider: 'openai',
      baseUrl: 'https://api.openai.com/v1',
      models: ['gpt-4o', 'gpt-4o-mini'],
      modelMapping: { 'gpt-4o': 'gpt-4o-2024-08-06' },
      priority: 0,
      weight: 1,
      tags: ['fast'],
      costMultiplierBps: 10_000,
      status: 'ENABLED',
      strategy: 'weighted',
    });
    expect(res.body.keys.map((k) => k.masked).sort()).toEqual([`sk-…${keys[0]!.slice(-4)}`, `sk-ant-…${keys[1]!.slice(-4)}`].sort());
    expect(res.body.keys.every((k) => k.status === 'ENABLED' && k.weight === 1)).toBe(true);

    const one = await call<ChannelView>('GET', `/api/v1/channels/${res.body.id}`, { token: master });
    expect(one.status).toBe(200);
    expect(one.body).toEqual(res.body);
    const all = await call<{ items: ChannelView[] }>('GET', '/api/v1/channels', { token: master });
    expect(all.body.items.map((c) => c.id)).toContain(res.body.id);

    const audit = await t.db.sql.query(`SELECT after FROM audit_log WHERE action = 'channel.create' AND target_id = $1`, [res.body.id]);
    expect(audit.rows[0].after.keys.map((k: { masked: string }) => k.masked).sort()).toEqual(res.body.keys.map((k) => k.masked).sort());
  });

  it('updates fields by PATCH and logs status changes as events', async () => {
    const { body: c } = await createChannel({ name: 'To patch' });
    const patched = await call<ChannelView>('PATCH', `/api/v1/channels/${c.id}`, {
      token: master,
      body: {
        name: 'Patched',
        models: ['gpt-4.1'],
        modelMapping: { 'gpt-4.1': 'gpt-4.1-2025-04-14' },
        priority: 5,
        weight: 3,
        tags: ['cn'],
        costMultiplierBps: 8_000,
        strategy: 'round_robin',
        status: 'DISABLED_MANUAL',
      },
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({
      name: 'Patched',
      models: ['gpt-4.1'],
      modelMapping: { 'gpt-4.1': 'gpt-4.1-2025-04-14' },
      priority: 5,
      weight: 3,
      tags: ['cn'],
      costMultiplierBps: 8_000,
      strategy: 'round_robin',
      status: 'DISABLED_MANUAL',
    });
    // Changing the models alone must not leave a mapping of a model no longer served.
    const stale = await call('PATCH', `/api/v1/channels/${c.id}`, { token: master, body: { models: ['gpt-4o'] } });
    expect(stale.status).toBe(400);
    expect(stale.body.error.code).toBe('invalid_model_mapping');
    expect((await call('PATCH', `/api/v1/channels/${c.id}`, { token: master, body: { status: 'ENABLED' } })).body.status).toBe('ENABLED');

    const events = await call('GET', `/api/v1/channels/${c.id}/events`, { token: master });
    expect(events.status).toBe(200);
    expect(events.body.items.map((e: { from: string; to: string }) => `${e.from}>${e.to}`)).toEqual(['DISABLED_MANUAL>ENABLED', 'ENABLED>DISABLED_MANUAL', 'NONE>ENABLED']);
    const audit = await t.db.sql.query(`SELECT before->>'name' AS b, after->>'name' AS a FROM audit_log WHERE action = 'channel.update' AND target_id = $1 ORDER BY id`, [c.id]);
    expect(audit.rows[0]).toEqual({ b: 'To patch', a: 'Patched' });
  });

  it('adds and removes keys', async () => {
    const { body: c } = await createChannel({ name: 'Keys', keys: [upstreamKey()] });
    const raw = upstreamKey('gsk_');
    secrets.push(raw);
    const added = await call('POST', `/api/v1/channels/${c.id}/keys`, { token: master, body: { key: raw, weight: 4 } });
    expect(added.status).toBe(201);
    expect(added.body).toMatchObject({ id: expect.any(String), masked: `gsk_…${raw.slice(-4)}`, status: 'ENABLED', weight: 4 });
    expect((await call<ChannelView>('GET', `/api/v1/channels/${c.id}`, { token: master })).body.keys).toHaveLength(2);

    const { body: other } = await createChannel({ name: 'Other' });
    expect((await call('DELETE', `/api/v1/channels/${other.id}/keys/${added.body.id}`, { token: master })).status).toBe(404);
    expect((await call('DELETE', `/api/v1/channels/${c.id}/keys/${added.body.id}`, { token: master })).status).toBe(204);
    expect((await call('DELETE', `/api/v1/channels/${c.id}/keys/${added.body.id}`, { token: master })).status).toBe(404);
    expect((await call('DELETE', `/api/v1/channels/${c.id}/keys/not-a-uuid`, { token: master })).status).toBe(404);
    expect((await call('POST', `/api/v1/channels/${randomUUID()}/keys`, { token: master, body: { key: upstreamKey() } })).status).toBe(404);
    expect((await call<ChannelView>('GET', `/api/v1/channels/${c.id}`, { token: master })).body.keys).toHaveLength(1);
    const events = (await call('GET', `/api/v1/channels/${c.id}/events`, { token: master })).body.items;
    expect(events.slice(0, 2).map((e: { keyId: string; to: string }) => [e.keyId, e.to])).toEqual([
      [added.body.id, 'REMOVED'],
      [added.body.id, 'ENABLED'],
    ]);
    const { rows } = await t.db.sql.query(`SELECT action FROM audit_log WHERE target_id = $1 ORDER BY id`, [c.id]);
    expect(rows.map((r) => r.action)).toEqual(['channel.create', 'channel.key.add', 'channel.key.remove']);
  });

  it('hands the relay the enabled channels for a model with their keys in the clear', async () => {
    const keys = [upstreamKey(), upstreamKey()];
    const { body: c } = await createChannel({ name: 'Relay', models: ['relay-model'], keys, priority: 7 });
    const found = await t.app.get(ChannelsRepository).enabledChannelsFor('relay-model');
    expect(found.map((x) => x.id)).toEqual([c.id]);
    expect(found[0]!.keys.map((k) => k.key).sort()).toEqual([...keys].sort());
    await call('PATCH', `/api/v1/channels/${c.id}`, { token: master, body: { status: 'DISABLED_MANUAL' } });
    expect(await t.app.get(ChannelsRepository).enabledChannelsFor('relay-model')).toEqual([]);
  });

  it('refuses bad input with 4xx', async () => {
    const bad: Record<string, unknown>[] = [
      { provider: 'nope' },
      { provider: undefined },
      { baseUrl: 'ftp://example.com' },
      { baseUrl: 'not a url' },
      { baseUrl: 'https://user:pass@example.com' },
      { keys: [] },
      { keys: ['has space'] },
      { keys: 'sk-abc' },
      { models: [] },
      { models: ['bad model'] },
      { modelMapping: { 'not-served': 'x' } },
      { modelMapping: { 'gpt-4o': 'bad name' } },
      { modelMapping: 'gpt-4o' },
      { priority: 1.5 },
      { weight: -1 },
      { costMultiplierBps: 'x' },
      { strategy: 'random' },
      { tags: ['  '] },
      { name: '' },
      { extra: true },
    ];
    for (const body of bad) {
      const res = await createChannel(body);
      expect(res.status, JSON.stringify(body)).toBe(400);
    }
    const { body: c } = await createChannel({ name: 'Target' });
    for (const body of [{}, { status: 'DISABLED_HEALTH' }, { status: 'nope' }, { provider: 'openai' }, { models: ['bad model'] }, { baseUrl: 'ftp://x.y' }]) {
      expect((await call('PATCH', `/api/v1/channels/${c.id}`, { token: master, body })).status, JSON.stringify(body)).toBe(400);
    }
    expect((await call('POST', `/api/v1/channels/${c.id}/keys`, { token: master, body: {} })).status).toBe(400);
    expect((await call('POST', `/api/v1/channels/${c.id}/keys`, { token: master, body: { key: 'a b' } })).status).toBe(400);
    expect((await call('GET', `/api/v1/channels/${randomUUID()}`, { token: master })).status).toBe(404);
    expect((await call('GET', '/api/v1/channels/abc', { token: master })).status).toBe(404);
    expect((await call('PATCH', `/api/v1/channels/${randomUUID()}`, { token: master, body: { name: 'x' } })).status).toBe(404);
    expect((await call('GET', `/api/v1/channels/${randomUUID()}/events`, { token: master })).status).toBe(404);
    expect((await call('GET', '/api/v1/channels?cursor=nope', { token: master })).status).toBe(400);
  });

  it('refuses every channel route to every non-master tier, and changes nothing', async () => {
    const { body: c } = await createChannel({ name: 'Guarded' });
    const routes = listRoutes(t.app).filter((r) => r.path.startsWith('/api/v1/channels'));
    expect(routes.length).toBe(7);
    const before = (await t.db.sql.query('SELECT c::text FROM channel c ORDER BY id')).rows;
    const failures: string[] = [];
    for (const route of routes) {
      const path = route.path.replace('{id}', c.id).replace('{keyId}', c.keys[0]!.id);
      const body = route.method === 'POST' || route.method === 'PATCH' ? { name: 'x', provider: 'openai', baseUrl: 'https://x.io', keys: [upstreamKey()], models: ['m'], key: upstreamKey(), status: 'DISABLED_MANUAL' } : undefined;
      for (const other of others) {
        const res = await call(route.method, path, { token: other.token, body });
        if (res.status !== 403) failures.push(`${other.label} → ${route.method} ${route.path}: ${res.status}`);
      }
    }
    expect(failures).toEqual([]);
    expect((await t.db.sql.query('SELECT c::text FROM channel c ORDER BY id')).rows).toEqual(before);
  });

  it('never shows or stores a raw upstream key', async () => {
    expect(secrets.length).toBeGreaterThan(10);
    const stored: string[] = [];
    for (const table of ['channel', 'channel_key', 'channel_event', 'audit_log']) {
      // The whole row as text: every text, json and array column at once.
      const { rows } = await t.db.sql.query<{ row: string }>(`SELECT r::text AS row FROM ${table} r`);
      expect(rows.length, table).toBeGreaterThan(0);
      stored.push(...rows.map((r) => r.row));
    }
    const leaks: string[] = [];
    for (const secret of secrets) {
      const middle = secret.slice(8, -4);
      if (responses.some((r) => r.includes(secret) || r.includes(middle))) leaks.push(`response: ${secret}`);
      if (stored.some((r) => r.includes(secret) || r.includes(middle))) leaks.push(`database: ${secret}`);
    }
    expect(leaks).toEqual([]);
  });
});
