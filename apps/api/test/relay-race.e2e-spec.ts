import { type MockUpstream, startMockUpstream } from '@tiergate/mock-upstream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Api } from './support/api-client.js';
import { buildRelayChain, chat, type RelayChain } from './support/relay-chain.js';
import { expectedCharge } from './support/relay-tree.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/**
 * 200 requests at once against a balance that covers a few: the ledger admits what fits, the
 * rest get 429, and every level is charged exactly successes × its price — never more than the
 * limit, never a lost or doubled charge.
 */
describe('relay under a race for the last credits', () => {
  let t: TestApp;
  let mock: MockUpstream;
  let chain: RelayChain;
  const MODEL = 'gpt-race';
  const REQUESTS = 200;
  /** Enough for a handful of reservations (each reserves prompt + max_tokens at the user's price). */
  const USER_GRANT = 400n;

  beforeAll(async () => {
    mock = await startMockUpstream({ port: 0, record: false });
    t = await startTestApp();
    const api = new Api(t.baseUrl);
    chain = await buildRelayChain(api, [MODEL], USER_GRANT);
    const channel = await api.call('POST', '/api/v1/channels', {
      token: chain.tokens.master,
      // A little latency so many requests hold reservations at the same time.
      body: { name: 'race', provider: 'openai', baseUrl: `${mock.url}/v1`, keys: ['sk-race-1'], models: [MODEL], modelMapping: { [MODEL]: 'mock-gpt@latency=30' } },
    });
    expect(channel.status, JSON.stringify(channel.body)).toBe(201);
  });
  afterAll(async () => {
    await t?.close();
    await mock?.close();
  });

  it('admits only what the balance covers and charges every level successes × price', async () => {
    const before = await chain.used();
    const body = { model: MODEL, messages: [{ role: 'user', content: 'race for credits' }], max_tokens: 5 };
    const results = await Promise.all(Array.from({ length: REQUESTS }, () => chat(t.baseUrl, chain.apiKey, body)));

    const ok = results.filter((r) => r.status === 200);
    const refused = results.filter((r) => r.status === 429);
    expect(ok.length + refused.length, JSON.stringify(results.find((r) => r.status !== 200 && r.status !== 429))).toBe(REQUESTS);
    expect(ok.length).toBeGreaterThan(0);
    expect(refused.length).toBeGreaterThan(0);
    for (const r of refused) expect(r.body.error.code).toBe('insufficient_quota');

    // Every answer reports the same usage (the mock is deterministic), so one price per level.
    const { prompt_tokens: p, completion_tokens: c } = ok[0]!.body.usage;
    for (const r of ok) expect(r.body.usage).toMatchObject({ prompt_tokens: p, completion_tokens: c });
    const price = expectedCharge(p, c);
    const after = await chain.used();
    for (const level of ['master', 'agent', 'tenant', 'user'] as const) {
      expect(after[level] - before[level], level).toBe(price[level] * BigInt(ok.length));
    }
    expect(after.user).toBeLessThanOrEqual(USER_GRANT);
  });
});
