import { type MockUpstream, startMockUpstream } from '@tiergate/mock-upstream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Api } from './support/api-client.js';
import { buildRelayChain, chat, type RelayChain } from './support/relay-chain.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/**
 * Requests and tokens per minute, per key and per account of the chain: over the limit the relay
 * answers 429 `rate_limit_exceeded` with Retry-After, names whose limit it was (an ancestor's
 * without its value), calls no upstream and charges nothing.
 */
describe('relay rate limits (RPM/TPM)', () => {
  let t: TestApp;
  let api: Api;
  let mock: MockUpstream;
  let chain: RelayChain;
  const MODEL = 'gpt-limits';
  const body = { model: MODEL, messages: [{ role: 'user', content: 'limit me' }], max_tokens: 3 };

  const newKey = async (extra: Record<string, unknown>) => {
    const res = await api.call('POST', `/api/v1/accounts/${chain.ids.user}/api-keys`, { token: chain.tokens.user, body: { name: 'limited', ...extra } });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body.key as string;
  };
  const setLimits = async (token: string, id: string, limits: Record<string, number | null>) => {
    const res = await api.call('PUT', `/api/v1/accounts/${id}/rate-limits`, { token, body: limits });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
  };

  beforeAll(async () => {
    mock = await startMockUpstream({ port: 0 });
    t = await startTestApp();
    api = new Api(t.baseUrl);
    chain = await buildRelayChain(api, [MODEL], 1_000_000_000n);
    const res = await api.call('POST', '/api/v1/channels', { token: chain.tokens.master, body: { name: 'limits', provider: 'openai', baseUrl: `${mock.url}/v1`, keys: ['sk-limits-1'], models: [MODEL] } });
    expect(res.status).toBe(201);
  });
  afterAll(async () => {
    await t?.close();
    await mock?.close();
  });

  it('holds a key to its own RPM, with Retry-After, no upstream call and no charge', async () => {
    const key = await newKey({ rpmLimit: 3 });
    for (let i = 0; i < 3; i++) expect((await chat(t.baseUrl, key, body)).status).toBe(200);
    const before = await chain.used();
    const calls = mock.requests.length;
    const res = await fetch(`${t.baseUrl}/v1/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect(res.status).toBe(429);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    const error = ((await res.json()) as { error: { code: string; message: string } }).error;
    expect(error.code).toBe('rate_limit_exceeded');
    expect(error.message).toMatch(/this API key's limit of 3 requests per minute/);
    expect(mock.requests.length).toBe(calls);
    expect(await chain.used()).toEqual(before);
    // Another key of the same account is not held by this key's limit.
    expect((await chat(t.baseUrl, chain.apiKey, body)).status).toBe(200);
  });

  it('holds a key to its TPM, counting prompt and completion', async () => {
    const key = await newKey({ tpmLimit: 40 });
    let ok = 0;
    let refused: { status: number; body: any } | undefined;
    for (let i = 0; i < 20 && !refused; i++) {
      const res = await chat(t.baseUrl, key, body);
      if (res.status === 200) ok++;
      else refused = res;
    }
    expect(ok).toBeGreaterThan(0);
    expect(refused?.status).toBe(429);
    expect(refused!.body.error.message).toMatch(/this API key's limit of 40 tokens per minute/);
  });

  it('holds the whole subtree to an account limit set by its parent, naming an ancestor without its value', async () => {
    // The tenant (an ancestor of the user) gets 2 RPM from its agent: the user sees its provider's limit.
    await setLimits(chain.tokens.agent, chain.ids.tenant, { rpmLimit: 2 });
    const codes: number[] = [];
    let message = '';
    for (let i = 0; i < 4; i++) {
      const res = await chat(t.baseUrl, chain.apiKey, body);
      codes.push(res.status);
      if (res.status === 429) message = res.body.error.message;
    }
    expect(codes.filter((c) => c === 200).length).toBeLessThanOrEqual(2);
    expect(codes).toContain(429);
    expect(message).toMatch(/the requests-per-minute limit of your provider/);
    expect(message).not.toMatch(/\b2\b/);
    await setLimits(chain.tokens.agent, chain.ids.tenant, { rpmLimit: null });
    expect((await chat(t.baseUrl, chain.apiKey, body)).status).toBe(200);

    // The user's own account limit names it with its value.
    await setLimits(chain.tokens.tenant, chain.ids.user, { rpmLimit: 1 });
    const first = await chat(t.baseUrl, chain.apiKey, body);
    const second = await chat(t.baseUrl, chain.apiKey, body);
    expect([first.status, second.status]).toContain(429);
    expect((first.status === 429 ? first : second).body.error.message).toMatch(/your account's limit of 1 requests per minute/);
  });

  it('lets only the parent set an account’s limits, and refuses bad input with 400', async () => {
    const self = await api.call('PUT', `/api/v1/accounts/${chain.ids.user}/rate-limits`, { token: chain.tokens.user, body: { rpmLimit: 100 } });
    expect(self.status).toBe(403);
    const grandparent = await api.call('PUT', `/api/v1/accounts/${chain.ids.user}/rate-limits`, { token: chain.tokens.agent, body: { rpmLimit: 100 } });
    expect(grandparent.status).toBe(403);
    for (const bad of [{}, { rpmLimit: 0 }, { rpmLimit: 1.5 }, { tpmLimit: '10' }, { rpm: 5 }]) {
      const res = await api.call('PUT', `/api/v1/accounts/${chain.ids.user}/rate-limits`, { token: chain.tokens.tenant, body: bad });
      expect(res.status, JSON.stringify(bad)).toBe(400);
    }
    const read = await api.call('GET', `/api/v1/accounts/${chain.ids.user}/rate-limits`, { token: chain.tokens.user });
    expect(read.body).toEqual({ accountId: chain.ids.user, rpmLimit: 1, tpmLimit: null });
  });

  it('changes a key’s limits, models and expiry with PATCH; the next request sees them', async () => {
    // The account limit an earlier test left on the user would hide the key's own.
    await setLimits(chain.tokens.tenant, chain.ids.user, { rpmLimit: null });
    const created = await api.call('POST', `/api/v1/accounts/${chain.ids.user}/api-keys`, { token: chain.tokens.user, body: { name: 'editable' } });
    const { id, key } = created.body as { id: string; key: string };
    const patch = (body: unknown, token = chain.tokens.user) => api.call('PATCH', `/api/v1/accounts/${chain.ids.user}/api-keys/${id}`, { token, body });

    const limited = await patch({ rpmLimit: 1, name: 'edited' });
    expect(limited.status, JSON.stringify(limited.body)).toBe(200);
    expect(limited.body).toMatchObject({ id, name: 'edited', rpmLimit: 1, tpmLimit: null });
    expect((await chat(t.baseUrl, key, body)).status).toBe(200);
    expect((await chat(t.baseUrl, key, body)).status).toBe(429);
    expect((await patch({ rpmLimit: null }, chain.tokens.tenant)).body.rpmLimit).toBeNull();
    expect((await chat(t.baseUrl, key, body)).status).toBe(200);

    expect((await patch({ models: ['some-other-model'] })).status).toBe(200);
    expect((await chat(t.baseUrl, key, body)).status).toBe(403);
    expect((await patch({ models: [] })).status).toBe(200);

    for (const bad of [{}, { rpmLimit: 0 }, { expiresAt: '2001-01-01T00:00:00Z' }, { name: '' }, { secret: 'x' }]) {
      expect((await patch(bad)).status, JSON.stringify(bad)).toBe(400);
    }
    expect((await patch({ rpmLimit: 5 }, chain.tokens.agent)).status).toBe(403);
    await api.call('DELETE', `/api/v1/accounts/${chain.ids.user}/api-keys/${id}`, { token: chain.tokens.user });
    expect((await patch({ rpmLimit: 5 })).status).toBe(409);
  });
});
