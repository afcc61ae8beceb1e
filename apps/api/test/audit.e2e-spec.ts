import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Api } from './support/api-client.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/** The audit log: the master reads every management write, newest first; nobody else reads it. */
describe('GET /api/v1/audit', () => {
  let t: TestApp;
  let api: Api;
  let master: string;
  let agent: { token: string; account: { id: string } };

  beforeAll(async () => {
    t = await startTestApp();
    api = new Api(t.baseUrl);
    master = (await api.loginMaster()).accessToken;
    agent = await api.createAndLogin(master, 'AGENT', 'Audited agent');
    await api.call('PATCH', `/api/v1/accounts/${agent.account.id}`, { token: master, body: { name: 'Renamed agent' } });
  });
  afterAll(() => t?.close());

  it('lists the writes newest first, with before and after, paged by cursor', async () => {
    const first = await api.call('GET', '/api/v1/audit?limit=1', { token: master });
    expect(first.status).toBe(200);
    expect(first.body.items).toHaveLength(1);
    expect(first.body.items[0]).toMatchObject({ targetId: agent.account.id, after: expect.objectContaining({ name: 'Renamed agent' }) });
    expect(first.body.nextCursor).toBe(first.body.items[0].id);
    const second = await api.call('GET', `/api/v1/audit?limit=1&cursor=${first.body.nextCursor}`, { token: master });
    expect(BigInt(second.body.items[0].id)).toBeLessThan(BigInt(first.body.items[0].id));
  });

  it('filters by target and action', async () => {
    const all = await api.call('GET', `/api/v1/audit?targetId=${agent.account.id}`, { token: master });
    expect(all.body.items.length).toBeGreaterThanOrEqual(2);
    const action = all.body.items[0].action as string;
    const one = await api.call('GET', `/api/v1/audit?targetId=${agent.account.id}&action=${encodeURIComponent(action)}`, { token: master });
    expect(one.body.items.every((i: { action: string }) => i.action === action)).toBe(true);
  });

  it('refuses other tiers and bad filters', async () => {
    expect((await api.call('GET', '/api/v1/audit', { token: agent.token })).status).toBe(403);
    expect((await api.call('GET', '/api/v1/audit?cursor=abc', { token: master })).status).toBe(400);
    expect((await api.call('GET', '/api/v1/audit?actorId=1', { token: master })).status).toBe(400);
  });
});
