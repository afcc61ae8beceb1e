import { expect } from 'vitest';
import type { Api } from './api-client.js';
import { PRICES } from './relay-tree.js';

export interface RelayChain {
  ids: { master: string; agent: string; tenant: string; user: string };
  tokens: { master: string; agent: string; tenant: string; user: string };
  /** An API key of the user. */
  apiKey: string;
  /** The main (LIFETIME CREDITS) `used` of every level, in µc. */
  used(): Promise<Record<'master' | 'agent' | 'tenant' | 'user', bigint>>;
}

/**
 * Builds master → agent → tenant → user with the prices of expectedCharge, catalog entries for
 * `models`, grants down the chain (`userGrant` µc to the user) and one API key of the user.
 */
export async function buildRelayChain(api: Api, models: string[], userGrant: bigint): Promise<RelayChain> {
  const login = await api.loginMaster();
  const master = login.accessToken;
  for (const m of models) {
    const res = await api.call('PUT', `/api/v1/catalog/models/${m}`, {
      token: master,
      body: { inputPer1M: String(PRICES.inputPer1M), cachedInputPer1M: String(PRICES.cachedInputPer1M), outputPer1M: String(PRICES.outputPer1M) },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
  }
  const agent = await api.createAndLogin(master, 'AGENT', 'Chain agent');
  const tenant = await api.createAndLogin(agent.token, 'TENANT', 'Chain tenant');
  const user = await api.createAndLogin(tenant.token, 'USER', 'Chain user');
  const ok = (res: { status: number; body: unknown }) => expect(res.status, JSON.stringify(res.body)).toBeLessThan(300);
  ok(await api.call('PUT', `/api/v1/accounts/${agent.account.id}/price-list`, { token: agent.token, body: { markupBps: 12000 } }));
  ok(await api.call('PUT', `/api/v1/accounts/${tenant.account.id}/price-list`, { token: tenant.token, body: { markupBps: 15000 } }));
  ok(await api.call('POST', `/api/v1/accounts/${agent.account.id}/grants`, { token: master, body: { delta: String(userGrant * 4n + 1_000_000_000n) } }));
  ok(await api.call('POST', `/api/v1/accounts/${tenant.account.id}/grants`, { token: agent.token, body: { delta: String(userGrant * 2n + 100_000_000n) } }));
  ok(await api.call('POST', `/api/v1/accounts/${user.account.id}/grants`, { token: tenant.token, body: { delta: String(userGrant) } }));
  const key = await api.call<{ key: string }>('POST', `/api/v1/accounts/${user.account.id}/api-keys`, { token: user.token, body: { name: 'relay' } });
  ok(key);
  const ids = { master: login.account.id, agent: agent.account.id, tenant: tenant.account.id, user: user.account.id };
  const tokens = { master, agent: agent.token, tenant: tenant.token, user: user.token };
  return {
    ids,
    tokens,
    apiKey: key.body.key,
    async used() {
      const out = {} as Record<'master' | 'agent' | 'tenant' | 'user', bigint>;
      for (const level of ['master', 'agent', 'tenant', 'user'] as const) {
        const q = await api.call('GET', `/api/v1/accounts/${ids[level]}/quota`, { token: tokens[level] });
        expect(q.status, JSON.stringify(q.body)).toBe(200);
        out[level] = BigInt(q.body.rules.find((r: { main: boolean }) => r.main).used);
      }
      return out;
    },
  };
}

/** POSTs one chat completion with the key; resolves to status and parsed body. */
export async function chat(baseUrl: string, apiKey: string, body: Record<string, unknown>, headers: Record<string, string> = {}): Promise<{ status: number; body: any }> {
  const res = await fetch(`${baseUrl}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    /* keep the text */
  }
  return { status: res.status, body: parsed };
}
