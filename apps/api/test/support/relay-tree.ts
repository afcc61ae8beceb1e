import { expect } from 'vitest';
import type { Api } from './api-client.js';

/** Catalog prices (µc per 1M tokens) and markups every relay e2e spec uses. */
export const PRICES = { inputPer1M: 2_000_000, cachedInputPer1M: 500_000, outputPer1M: 8_000_000 } as const;

/** µc for a usage at unit prices per 1M tokens (cached input at its own rate): half up, once, as the ledger does. */
export const cost = (prompt: number, completion: number, cached: number, price: { input: number; cached: number; output: number }) =>
  (BigInt(prompt - cached) * BigInt(price.input) + BigInt(cached) * BigInt(price.cached) + BigInt(completion) * BigInt(price.output) + 500_000n) / 1_000_000n;

/** Expected charge per level: master (channel cost = catalog), agent (catalog), tenant (×1.2), user (×1.2 then ×1.5). */
export const expectedCharge = (p: number, c: number, cached = 0) => ({
  master: cost(p, c, cached, { input: 2_000_000, cached: 500_000, output: 8_000_000 }),
  agent: cost(p, c, cached, { input: 2_000_000, cached: 500_000, output: 8_000_000 }),
  tenant: cost(p, c, cached, { input: 2_400_000, cached: 600_000, output: 9_600_000 }),
  user: cost(p, c, cached, { input: 3_600_000, cached: 900_000, output: 14_400_000 }),
});

export interface RelayTree {
  ids: { master: string; agent: string; tenant: string; user: string };
  /** The user's relay key. */
  key: string;
  /** µc used so far on each level's main rule. */
  used(): Promise<Record<string, bigint>>;
}

export interface ChannelSpec {
  name: string;
  provider: string;
  baseUrl: string;
  models: Record<string, string>;
}

/** master → agent (×1.2) → tenant (×1.5) → user with grants, priced models, channels and a user key. */
export async function setupRelayTree(api: Api, channels: ChannelSpec[]): Promise<RelayTree> {
  const login = await api.loginMaster();
  const master = login.accessToken;
  for (const c of channels) {
    for (const model of Object.keys(c.models)) {
      const priced = await api.call('PUT', `/api/v1/catalog/models/${model}`, { token: master, body: { inputPer1M: String(PRICES.inputPer1M), cachedInputPer1M: String(PRICES.cachedInputPer1M), outputPer1M: String(PRICES.outputPer1M) } });
      expect(priced.status, JSON.stringify(priced.body)).toBe(200);
    }
    const created = await api.call('POST', '/api/v1/channels', {
      token: master,
      body: { name: c.name, provider: c.provider, baseUrl: c.baseUrl, keys: [`sk-${c.name}-upstream-key`], models: Object.keys(c.models), modelMapping: c.models },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
  }
  const agent = await api.createAndLogin(master, 'AGENT', 'Relay agent');
  const tenant = await api.createAndLogin(agent.token, 'TENANT', 'Relay tenant');
  const user = await api.createAndLogin(tenant.token, 'USER', 'Relay user');
  const ids = { master: login.account.id, agent: agent.account.id, tenant: tenant.account.id, user: user.account.id };
  const tokens: Record<string, string> = { master, agent: agent.token, tenant: tenant.token, user: user.token };
  await api.call('PUT', `/api/v1/accounts/${agent.account.id}/price-list`, { token: agent.token, body: { markupBps: 12000 } });
  await api.call('PUT', `/api/v1/accounts/${tenant.account.id}/price-list`, { token: tenant.token, body: { markupBps: 15000 } });
  await api.call('POST', `/api/v1/accounts/${agent.account.id}/grants`, { token: master, body: { delta: '100000000' } });
  await api.call('POST', `/api/v1/accounts/${tenant.account.id}/grants`, { token: agent.token, body: { delta: '50000000' } });
  await api.call('POST', `/api/v1/accounts/${user.account.id}/grants`, { token: tenant.token, body: { delta: '10000000' } });
  const key = await api.call('POST', `/api/v1/accounts/${user.account.id}/api-keys`, { token: user.token, body: { name: 'sdk' } });
  expect(key.status, JSON.stringify(key.body)).toBe(201);
  return {
    ids,
    key: key.body.key,
    async used() {
      const out: Record<string, bigint> = {};
      for (const [level, id] of Object.entries(ids)) {
        const q = await api.call('GET', `/api/v1/accounts/${id}/quota`, { token: tokens[level] });
        out[level] = BigInt(q.body.rules.find((r: { main: boolean }) => r.main).used);
      }
      return out;
    },
  };
}

export const charged = (before: Record<string, bigint>, after: Record<string, bigint>) =>
  Object.fromEntries(Object.keys(after).map((k) => [k, after[k]! - before[k]!]));
