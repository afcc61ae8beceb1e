import { LedgerRuntime } from '@tiergate/api-ledger';
import { type MockUpstream, startMockUpstream } from '@tiergate/mock-upstream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Api } from './support/api-client.js';
import { buildRelayChain, chat, type RelayChain } from './support/relay-chain.js';
import { expectedCharge } from './support/relay-tree.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/**
 * An API key's own quota rules: set by the owner (or its parent), checked in the same atomic
 * reserve as the chain, charged with the owner's level amounts, shown with used/resetsAt, and
 * rebuilt from Postgres like every other counter.
 */
describe('API key quota rules', () => {
  let t: TestApp;
  let api: Api;
  let mock: MockUpstream;
  let chain: RelayChain;
  const MODEL = 'gpt-keyquota';
  const body = { model: MODEL, messages: [{ role: 'user', content: 'key quota' }], max_tokens: 3 };

  const newKey = async () => {
    const res = await api.call('POST', `/api/v1/accounts/${chain.ids.user}/api-keys`, { token: chain.tokens.user, body: { name: 'capped' } });
    expect(res.status).toBe(201);
    return res.body as { id: string; key: string };
  };
  const quotaOf = async (keyId: string, token = chain.tokens.user) => api.call('GET', `/api/v1/accounts/${chain.ids.user}/api-keys/${keyId}/quota`, { token });
  const addRule = (keyId: string, rule: Record<string, unknown>, token = chain.tokens.user) =>
    api.call('POST', `/api/v1/accounts/${chain.ids.user}/api-keys/${keyId}/quota/rules`, { token, body: rule });

  beforeAll(async () => {
    mock = await startMockUpstream({ port: 0, record: false });
    t = await startTestApp();
    api = new Api(t.baseUrl);
    chain = await buildRelayChain(api, [MODEL], 1_000_000_000n);
    const res = await api.call('POST', '/api/v1/channels', { token: chain.tokens.master, body: { name: 'kq', provider: 'openai', baseUrl: `${mock.url}/v1`, keys: ['sk-kq-1'], models: [MODEL] } });
    expect(res.status).toBe(201);
  });
  afterAll(async () => {
    await t?.close();
    await mock?.close();
  });

  it('stops a key at its own request cap, saying it is the key, while other keys go on', async () => {
    const key = await newKey();
    const rule = await addRule(key.id, { unit: 'REQUESTS', window: { kind: 'LIFETIME' }, limit: '2' });
    expect(rule.status, JSON.stringify(rule.body)).toBe(201);
    for (let i = 0; i < 2; i++) expect((await chat(t.baseUrl, key.key, body)).status).toBe(200);
    const before = await chain.used();
    const third = await chat(t.baseUrl, key.key, body);
    expect(third.status).toBe(429);
    expect(third.body.error.code).toBe('insufficient_quota');
    expect(third.body.error.message).toMatch(/this API key has no requests left/);
    expect(await chain.used()).toEqual(before);
    expect((await chat(t.baseUrl, chain.apiKey, body)).status).toBe(200);

    const view = await quotaOf(key.id);
    expect(view.status).toBe(200);
    expect(view.body).toMatchObject({ apiKeyId: key.id, rules: [{ unit: 'REQUESTS', limit: '2', used: '2', resetsAt: null, main: false }] });
  });

  it('counts a daily credit cap in the owner’s own prices, with the next reset', async () => {
    const key = await newKey();
    const added = await addRule(key.id, { unit: 'CREDITS', window: { kind: 'CALENDAR', period: 'DAY', timezone: 'Asia/Shanghai' }, limit: '1000000' });
    expect(added.status, JSON.stringify(added.body)).toBe(201);
    const reply = await chat(t.baseUrl, key.key, body);
    expect(reply.status).toBe(200);
    const charge = expectedCharge(reply.body.usage.prompt_tokens, reply.body.usage.completion_tokens).user;
    const rule = (await quotaOf(key.id)).body.rules[0];
    expect(BigInt(rule.used)).toBe(charge);
    // The next midnight in Shanghai (16:00 UTC).
    expect(rule.resetsAt).toMatch(/T16:00:00\.000Z$/);
  });

  it('lets the owner and its parent manage the rules, nobody else, and refuses bad input', async () => {
    const key = await newKey();
    expect((await addRule(key.id, { unit: 'TOKENS', window: { kind: 'LIFETIME' }, limit: '500' }, chain.tokens.tenant)).status).toBe(201);
    expect((await quotaOf(key.id, chain.tokens.tenant)).status).toBe(200);
    expect((await quotaOf(key.id, chain.tokens.agent)).status).toBe(403);
    expect((await addRule(key.id, { unit: 'TOKENS', window: { kind: 'LIFETIME' }, limit: '9' })).status).toBe(409);
    for (const bad of [{ unit: 'DOLLARS', window: { kind: 'LIFETIME' }, limit: '1' }, { unit: 'TOKENS', window: { kind: 'CALENDAR', period: 'DAY', timezone: 'Mars/Base' }, limit: '1' }, { unit: 'TOKENS', window: { kind: 'LIFETIME' }, limit: '-1' }]) {
      expect((await addRule(key.id, bad)).status, JSON.stringify(bad)).toBe(400);
    }
    const ruleId = (await quotaOf(key.id)).body.rules[0].id as string;
    const raised = await api.call('PATCH', `/api/v1/accounts/${chain.ids.user}/api-keys/${key.id}/quota/rules/${ruleId}`, { token: chain.tokens.user, body: { limit: '800' } });
    expect(raised.status).toBe(200);
    expect(raised.body.limit).toBe('800');
    expect((await api.call('DELETE', `/api/v1/accounts/${chain.ids.user}/api-keys/${key.id}/quota/rules/${ruleId}`, { token: chain.tokens.user })).status).toBe(204);
    expect((await quotaOf(key.id)).body.rules).toEqual([]);
  });

  it('rebuilds key counters from Postgres like account counters', async () => {
    const key = await newKey();
    await addRule(key.id, { unit: 'REQUESTS', window: { kind: 'LIFETIME' }, limit: '10' });
    for (let i = 0; i < 3; i++) expect((await chat(t.baseUrl, key.key, body)).status).toBe(200);
    // Wait for the persister to write the usage rows the rebuild reads.
    const deadline = Date.now() + 10_000;
    for (;;) {
      const { rows } = await t.db.sql.query<{ n: number }>('SELECT count(*)::int AS n FROM usage_record WHERE api_key_id = $1', [key.id]);
      if (rows[0]!.n === 3) break;
      if (Date.now() > deadline) throw new Error('usage rows not persisted');
      await new Promise((r) => setTimeout(r, 100));
    }
    await t.app.get(LedgerRuntime).rebuild();
    expect((await quotaOf(key.id)).body.rules[0].used).toBe('3');
  });
});
