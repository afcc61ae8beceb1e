import { type MockUpstream, startMockUpstream } from '@tiergate/mock-upstream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Api } from './support/api-client.js';
import { buildRelayChain, chat, type RelayChain } from './support/relay-chain.js';
import { expectedCharge } from './support/relay-tree.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/**
 * Two channels serve one model; one of them answers 500 to 30 % of calls. The relay retries the
 * failures on the other channel before the first byte, so clients see (almost) no error, and a
 * retried request is charged once.
 */
describe('relay failover between channels', () => {
  let t: TestApp;
  let mock: MockUpstream;
  let chain: RelayChain;
  const MODEL = 'gpt-failover';
  const REQUESTS = 1000;
  const IN_FLIGHT = 16;
  const channelIds: Record<string, string> = {};

  beforeAll(async () => {
    mock = await startMockUpstream({ port: 0 });
    // Health would take the flaky channel out after a few failures; this spec is about retries.
    t = await startTestApp({ HEALTH_FAILURES: '1000000' });
    const api = new Api(t.baseUrl);
    chain = await buildRelayChain(api, [MODEL, 'gpt-rr'], 1_000_000_000n);
    for (const [name, upstream] of [
      ['flaky', 'mock-gpt@rate=0.3,seed=failover'],
      ['steady', 'mock-gpt'],
    ] as const) {
      const res = await api.call('POST', '/api/v1/channels', {
        token: chain.tokens.master,
        body: { name, provider: 'openai', baseUrl: `${mock.url}/v1`, keys: [`sk-${name}-1`], models: [MODEL], modelMapping: { [MODEL]: upstream } },
      });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      channelIds[name] = res.body.id;
    }
  });
  afterAll(async () => {
    await t?.close();
    await mock?.close();
  });

  it('succeeds for at least 99.9 % of clients and charges each success once', async () => {
    const before = await chain.used();
    const body = { model: MODEL, messages: [{ role: 'user', content: 'fail over please' }], max_tokens: 4 };
    const statuses: number[] = [];
    let usage: { prompt_tokens: number; completion_tokens: number } | undefined;
    let next = 0;
    await Promise.all(
      Array.from({ length: IN_FLIGHT }, async () => {
        while (next < REQUESTS) {
          next++;
          const res = await chat(t.baseUrl, chain.apiKey, body);
          statuses.push(res.status);
          if (res.status === 200) usage = res.body.usage;
        }
      }),
    );
    const ok = statuses.filter((s) => s === 200).length;
    expect(statuses).toHaveLength(REQUESTS);
    expect(ok / REQUESTS).toBeGreaterThanOrEqual(0.999);

    // The flaky channel really failed about 30 % of what it was sent, and those were retried.
    const sentTo = (upstream: string) => mock.requests.filter((r) => (r.body as { model?: string }).model === upstream).length;
    const flaky = sentTo('mock-gpt@rate=0.3,seed=failover');
    const retried = flaky + sentTo('mock-gpt') - REQUESTS;
    expect(retried / flaky).toBeGreaterThan(0.2);
    expect(retried / flaky).toBeLessThan(0.4);

    const price = expectedCharge(usage!.prompt_tokens, usage!.completion_tokens);
    const after = await chain.used();
    for (const level of ['master', 'agent', 'tenant', 'user'] as const) {
      expect(after[level] - before[level], level).toBe(price[level] * BigInt(ok));
    }
  });

  it('spreads requests over a channel’s keys by its strategy: round_robin alternates', async () => {
    const api = new Api(t.baseUrl);
    const res = await api.call('POST', '/api/v1/channels', {
      token: chain.tokens.master,
      body: { name: 'rr', provider: 'openai', baseUrl: `${mock.url}/v1`, keys: ['sk-rr-one-1111', 'sk-rr-two-2222', 'sk-rr-three-3333'], models: ['gpt-rr'], strategy: 'round_robin' },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const from = mock.requests.length;
    for (let i = 0; i < 9; i++) expect((await chat(t.baseUrl, chain.apiKey, { model: 'gpt-rr', messages: [{ role: 'user', content: 'turns' }], max_tokens: 2 })).status).toBe(200);
    const used = mock.requests.slice(from).map((r) => String(r.headers.authorization));
    const counts = new Map<string, number>();
    for (const k of used) counts.set(k, (counts.get(k) ?? 0) + 1);
    expect([...counts.values()]).toEqual([3, 3, 3]);
    // Each key once before any key twice.
    expect(new Set(used.slice(0, 3)).size).toBe(3);
  });

  it('pins a channel with X-Tiergate-Channel only for keys that allow it', async () => {
    const api = new Api(t.baseUrl);
    const pinKey = (await api.call('POST', `/api/v1/accounts/${chain.ids.user}/api-keys`, { token: chain.tokens.user, body: { name: 'pin', allowChannelPin: true } })).body.key as string;
    const body = { model: MODEL, messages: [{ role: 'user', content: 'pinned' }], max_tokens: 2 };
    const from = mock.requests.length;
    for (let i = 0; i < 5; i++) expect((await chat(t.baseUrl, pinKey, body, { 'x-tiergate-channel': channelIds.steady! })).status).toBe(200);
    expect(mock.requests.slice(from).map((r) => (r.body as { model: string }).model)).toEqual(Array(5).fill('mock-gpt'));

    const refused = await chat(t.baseUrl, chain.apiKey, body, { 'x-tiergate-channel': channelIds.steady! });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('channel_pin_not_allowed');
    const unknown = await chat(t.baseUrl, pinKey, body, { 'x-tiergate-channel': '00000000-0000-4000-8000-000000000000' });
    expect(unknown.status).toBe(503);
  });
});
