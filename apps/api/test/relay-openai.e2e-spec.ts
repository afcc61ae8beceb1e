import { type MockUpstream, startMockUpstream } from '@tiergate/mock-upstream';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Api } from './support/api-client.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/**
 * The official `openai` client, unchanged but for baseURL and apiKey, against the relay against
 * the mock upstream, with exact charges at every level of master → agent → tenant → user.
 */
describe('OpenAI relay with the official client', () => {
  let t: TestApp;
  let api: Api;
  let mock: MockUpstream;
  let master: string;
  let ids: { master: string; agent: string; tenant: string; user: string };
  let tokens: { agent: string; tenant: string; user: string };
  let client: OpenAI;
  const MODEL = 'gpt-relay';
  const EXTRA = ['gpt-flaky', 'gpt-slow', 'gpt-cut', 'gpt-nousage', 'emb-relay'];

  /** µc for `usage` at a unit price per 1M tokens: half up, as the ledger does. */
  const cost = (prompt: number, completion: number, inPer1M: number, outPer1M: number) =>
    (BigInt(prompt) * BigInt(inPer1M) + BigInt(completion) * BigInt(outPer1M) + 500_000n) / 1_000_000n;
  /** Expected charge per level: master (channel cost = catalog), agent (catalog), tenant (×1.2), user (×1.2 then ×1.5). */
  const expected = (p: number, c: number) => ({
    master: cost(p, c, 2_000_000, 8_000_000),
    agent: cost(p, c, 2_000_000, 8_000_000),
    tenant: cost(p, c, 2_400_000, 9_600_000),
    user: cost(p, c, 3_600_000, 14_400_000),
  });

  const used = async () => {
    const out: Record<string, bigint> = {};
    for (const [level, id] of Object.entries(ids)) {
      const token = level === 'master' ? master : tokens[level as keyof typeof tokens];
      const q = await api.call('GET', `/api/v1/accounts/${id}/quota`, { token });
      out[level] = BigInt(q.body.rules.find((r: { main: boolean }) => r.main).used);
    }
    return out;
  };
  const delta = (before: Record<string, bigint>, after: Record<string, bigint>) =>
    Object.fromEntries(Object.keys(after).map((k) => [k, after[k]! - before[k]!]));

  beforeAll(async () => {
    mock = await startMockUpstream({ port: 0 });
    t = await startTestApp();
    api = new Api(t.baseUrl);
    const login = await api.loginMaster();
    master = login.accessToken;
    await api.call('PUT', `/api/v1/catalog/models/${MODEL}`, { token: master, body: { inputPer1M: '2000000', outputPer1M: '8000000' } });
    for (const m of EXTRA) await api.call('PUT', `/api/v1/catalog/models/${m}`, { token: master, body: { inputPer1M: '2000000', outputPer1M: '8000000' } });
    // Behaviour of the mock is chosen by the upstream model name each public model maps to.
    const healthy = await api.call('POST', '/api/v1/channels', {
      token: master,
      body: {
        name: 'mock',
        provider: 'openai',
        baseUrl: `${mock.url}/v1`,
        keys: ['sk-mock-upstream-key-1'],
        models: [MODEL, ...EXTRA],
        modelMapping: { [MODEL]: 'mock-gpt', 'gpt-flaky': 'mock-gpt', 'gpt-slow': 'mock-gpt@chunkdelay=20', 'gpt-cut': 'mock-gpt@disconnect=4', 'gpt-nousage': 'mock-gpt@nousage', 'emb-relay': 'mock-embedding-small' },
      },
    });
    expect(healthy.status, JSON.stringify(healthy.body)).toBe(201);
    const failing = await api.call('POST', '/api/v1/channels', {
      token: master,
      body: { name: 'mock failing', provider: 'openai', baseUrl: `${mock.url}/v1`, keys: ['sk-mock-upstream-key-2'], models: ['gpt-flaky'], modelMapping: { 'gpt-flaky': 'mock-gpt@fail=500' }, priority: 10 },
    });
    expect(failing.status, JSON.stringify(failing.body)).toBe(201);
    const agent = await api.createAndLogin(master, 'AGENT', 'Relay agent');
    const tenant = await api.createAndLogin(agent.token, 'TENANT', 'Relay tenant');
    const user = await api.createAndLogin(tenant.token, 'USER', 'Relay user');
    ids = { master: login.account.id, agent: agent.account.id, tenant: tenant.account.id, user: user.account.id };
    tokens = { agent: agent.token, tenant: tenant.token, user: user.token };
    await api.call('PUT', `/api/v1/accounts/${agent.account.id}/price-list`, { token: agent.token, body: { markupBps: 12000 } });
    await api.call('PUT', `/api/v1/accounts/${tenant.account.id}/price-list`, { token: tenant.token, body: { markupBps: 15000 } });
    await api.call('POST', `/api/v1/accounts/${agent.account.id}/grants`, { token: master, body: { delta: '100000000' } });
    await api.call('POST', `/api/v1/accounts/${tenant.account.id}/grants`, { token: agent.token, body: { delta: '50000000' } });
    await api.call('POST', `/api/v1/accounts/${user.account.id}/grants`, { token: tenant.token, body: { delta: '10000000' } });
    const key = await api.call('POST', `/api/v1/accounts/${user.account.id}/api-keys`, { token: user.token, body: { name: 'sdk' } });
    expect(key.status, JSON.stringify(key.body)).toBe(201);
    client = new OpenAI({ baseURL: `${t.baseUrl}/v1`, apiKey: key.body.key, maxRetries: 0 });
  });
  afterAll(async () => {
    await t?.close();
    await mock?.close();
  });

  it('answers a chat and charges every level exactly', async () => {
    const before = await used();
    const reply = await client.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'hello there relay' }], max_tokens: 12 });
    expect(reply.choices[0]!.message.content).toMatch(/^Echo: hello there relay/);
    expect(reply.model).toBe(MODEL);
    const { prompt_tokens: p, completion_tokens: c } = reply.usage!;
    expect(delta(before, await used())).toEqual(expected(p, c));
  });

  it('streams a chat, chunk by chunk, and charges what the upstream reported', async () => {
    const before = await used();
    const stream = await client.chat.completions.create({
      model: MODEL,
      messages: [{ role: 'user', content: 'stream me please' }],
      max_tokens: 9,
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let usage: OpenAI.CompletionUsage | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta?.content ?? '';
      if (chunk.usage) usage = chunk.usage;
      expect(chunk.model).toBe(MODEL);
    }
    expect(text).toMatch(/^Echo: stream me please/);
    expect(usage).toBeDefined();
    expect(delta(before, await used())).toEqual(expected(usage!.prompt_tokens, usage!.completion_tokens));
    // The relay forces usage upstream, and hides it from a client that did not ask.
    const quiet = await client.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'quiet' }], max_tokens: 3, stream: true });
    for await (const chunk of quiet) expect(chunk.usage ?? null).toBeNull();
    expect(mock.requests.at(-1)!.body).toMatchObject({ model: 'mock-gpt', stream_options: { include_usage: true } });
    // The public name replaces the upstream's in every chunk, but a model field quoted in the text is the text.
    const quoted = await client.chat.completions.create({ model: 'gpt-slow', messages: [{ role: 'user', content: 'say "model":"mock-gpt" back' }], max_tokens: 20, stream: true });
    let echoed = '';
    for await (const chunk of quoted) {
      expect(chunk.model).toBe('gpt-slow');
      echoed += chunk.choices[0]?.delta?.content ?? '';
    }
    expect(echoed).toContain('"model":"mock-gpt"');
  });

  it('lists only the models the key may use and a channel serves', async () => {
    const models = await client.models.list();
    expect(models.data.map((m) => m.id).sort()).toEqual([MODEL, ...EXTRA].sort());
  });

  it('refuses a bad key and an unknown model in OpenAI’s error shape', async () => {
    const bad = new OpenAI({ baseURL: `${t.baseUrl}/v1`, apiKey: 'tg-not-a-key', maxRetries: 0 });
    await expect(bad.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'x' }] })).rejects.toMatchObject({ status: 401 });
    await expect(client.chat.completions.create({ model: 'nope', messages: [{ role: 'user', content: 'x' }] })).rejects.toMatchObject({ status: 404, code: 'model_not_found' });
    await expect(client.chat.completions.create({ model: MODEL, messages: [] })).rejects.toMatchObject({ status: 400 });
  });

  it('says which tier ran out, without revealing balances, and charges nothing', async () => {
    const before = await used();
    await expect(
      client.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'too big' }], max_tokens: 1_000_000 }),
    ).rejects.toMatchObject({ status: 429, code: 'insufficient_quota', type: 'insufficient_quota' });
    expect(delta(before, await used())).toEqual({ master: 0n, agent: 0n, tenant: 0n, user: 0n });
  });

  it('bills a client that disconnects mid-stream for what was generated, once', async () => {
    const before = await used();
    const stream = await client.chat.completions.create(
      { model: 'gpt-slow', messages: [{ role: 'user', content: 'long answer' }], max_tokens: 200, stream: true },
    );
    let seen = 0;
    for await (const chunk of stream) {
      // The upstream answers as "mock-gpt" though it was asked for "mock-gpt@chunkdelay=20": the client still sees the public name.
      expect(chunk.model).toBe('gpt-slow');
      if (chunk.choices[0]?.delta?.content) seen++;
      if (seen === 5) {
        stream.controller.abort();
        break;
      }
    }
    await new Promise((r) => setTimeout(r, 300));
    const charged = delta(before, await used());
    expect(charged.user).toBeGreaterThan(0n);
    expect(charged.user).toBeLessThan(expected(20, 200).user);
  });

  it('bills an upstream that breaks mid-stream for what the client received', async () => {
    const before = await used();
    const stream = await client.chat.completions.create({ model: 'gpt-cut', messages: [{ role: 'user', content: 'cut me off' }], max_tokens: 50, stream: true });
    let text = '';
    try {
      for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
    } catch {
      // The stream ends abruptly: that is the point.
    }
    expect(text.length).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 200));
    const charged = delta(before, await used());
    expect(charged.user).toBeGreaterThan(0n);
    expect(charged.user).toBeLessThan(expected(10, 50).user);
  });

  it('counts tokens itself when the upstream reports no usage', async () => {
    const before = await used();
    const reply = await client.chat.completions.create({ model: 'gpt-nousage', messages: [{ role: 'user', content: 'count me' }], max_tokens: 6 });
    expect(reply.usage ?? null).toBeNull();
    const charged = delta(before, await used());
    expect(charged.user).toBeGreaterThan(0n);
    expect(charged.agent).toBeLessThan(charged.user);
  });

  it('retries on the next channel after a 500 and charges once', async () => {
    const before = await used();
    const requestsBefore = mock.requests.length;
    const reply = await client.chat.completions.create({ model: 'gpt-flaky', messages: [{ role: 'user', content: 'retry me' }], max_tokens: 5 });
    expect(mock.requests.length - requestsBefore).toBe(2);
    const { prompt_tokens: p, completion_tokens: c } = reply.usage!;
    expect(delta(before, await used())).toEqual(expected(p, c));
  });

  it('embeds with the official client and charges the reported input tokens at every level', async () => {
    const before = await used();
    const out = await client.embeddings.create({ model: 'emb-relay', input: ['first text to embed', 'second one'], dimensions: 8 });
    expect(out.model).toBe('emb-relay');
    expect(out.data).toHaveLength(2);
    expect(out.data[0]!.embedding).toHaveLength(8);
    expect(mock.requests.at(-1)).toMatchObject({ path: '/v1/embeddings', body: { model: 'mock-embedding-small', dimensions: 8 } });
    expect(delta(before, await used())).toEqual(expected(out.usage.prompt_tokens, 0));

    // Base64 passes through untouched; bad input is a 400 that reaches no upstream and charges nothing.
    const b64 = await client.embeddings.create({ model: 'emb-relay', input: 'as base64', encoding_format: 'base64' });
    expect(b64.data[0]!.embedding.length).toBeGreaterThan(0);
    const calls = mock.requests.length;
    const after = await used();
    for (const input of ['', [], [''], [1.5], 42]) {
      await expect(client.embeddings.create({ model: 'emb-relay', input: input as string })).rejects.toMatchObject({ status: 400 });
    }
    expect(mock.requests.length).toBe(calls);
    expect(await used()).toEqual(after);
  });
});
