import type { TreeRepository } from '@tiergate/api-accounts';
import { ForbiddenError, InvalidationBus, type RedisConnection, UnauthenticatedError } from '@tiergate/api-core';
import type { ApiKey } from '@tiergate/api-db';
import { describe, expect, it } from 'vitest';
import { ApiKeyAuthenticator } from './api-key-authenticator.js';
import { generateApiKey, hashApiKey } from './api-key-format.js';
import type { ApiKeysRepository } from './api-keys.repository.js';

function setup(overrides: Partial<ApiKey> = {}) {
  const raw = generateApiKey();
  const row: ApiKey = {
    id: '11111111-1111-4111-8111-111111111111',
    accountId: '22222222-2222-4222-8222-222222222222',
    name: 'k',
    prefix: raw.slice(0, 11),
    keyHash: hashApiKey(raw),
    models: ['gpt-4o'],
    ipAllowList: [],
    expiresAt: null,
    status: 'ACTIVE',
    allowChannelPin: true,
    rpmLimit: null,
    tpmLimit: null,
    lastUsedAt: null,
    createdAt: new Date(),
    revokedAt: null,
    ...overrides,
  };
  const state = { row, blocked: false, lookups: 0, touched: 0 };
  const keys = {
    findByHash: async (hash: string) => {
      state.lookups++;
      return hash === state.row.keyHash ? state.row : null;
    },
    touch: async () => {
      state.touched++;
    },
  } as unknown as ApiKeysRepository;
  const tree = { isBlocked: async () => state.blocked } as unknown as TreeRepository;
  const bus = new InvalidationBus({ client: null } as RedisConnection);
  const auth = new ApiKeyAuthenticator(keys, tree, bus);
  return { raw, state, bus, auth };
}

describe('ApiKeyAuthenticator', () => {
  it('turns a valid key into its principal and records the use', async () => {
    const { raw, auth, state } = setup();
    await expect(auth.authenticate(raw, '203.0.113.7')).resolves.toEqual({
      keyId: state.row.id,
      accountId: state.row.accountId,
      models: ['gpt-4o'],
      allowChannelPin: true,
      rpmLimit: null,
      tpmLimit: null,
      quotaRules: [],
    });
    expect(state.touched).toBe(1);
  });

  it('refuses missing, malformed and unknown keys without caching anything', async () => {
    const { auth, state } = setup();
    for (const bad of [null, undefined, '', 'sk-not-ours', 'tg-short']) {
      await expect(auth.authenticate(bad, '127.0.0.1')).rejects.toMatchObject({ code: 'invalid_api_key' });
    }
    expect(state.lookups).toBe(0);
    await expect(auth.authenticate(generateApiKey(), '127.0.0.1')).rejects.toThrow(UnauthenticatedError);
    expect(state.lookups).toBe(1);
  });

  it('refuses revoked and expired keys', async () => {
    const revoked = setup({ status: 'REVOKED' });
    await expect(revoked.auth.authenticate(revoked.raw, '127.0.0.1')).rejects.toMatchObject({ code: 'invalid_api_key' });
    const expired = setup({ expiresAt: new Date(Date.now() - 1000) });
    await expect(expired.auth.authenticate(expired.raw, '127.0.0.1')).rejects.toMatchObject({ code: 'invalid_api_key', message: expect.stringMatching(/expired/) });
  });

  it('refuses an address outside the allow-list', async () => {
    const { raw, auth } = setup({ ipAllowList: ['10.0.0.0/8'] });
    await expect(auth.authenticate(raw, '10.1.2.3')).resolves.toBeDefined();
    await expect(auth.authenticate(raw, '192.0.2.1')).rejects.toThrow(ForbiddenError);
    await expect(auth.authenticate(raw, '192.0.2.1')).rejects.toMatchObject({ code: 'ip_not_allowed' });
  });

  it('refuses a key whose owner sits under a suspended account', async () => {
    const { raw, auth, state } = setup();
    state.blocked = true;
    await expect(auth.authenticate(raw, '127.0.0.1')).rejects.toMatchObject({ code: 'account_suspended' });
  });

  it('caches successful lookups, and drops them on an api-key or account invalidation', async () => {
    const { raw, auth, state, bus } = setup();
    await auth.authenticate(raw, '127.0.0.1');
    await auth.authenticate(raw, '127.0.0.1');
    expect(state.lookups).toBe(1);

    state.row = { ...state.row, status: 'REVOKED' };
    await bus.publish({ kind: 'api-key', id: 'another-key' });
    await expect(auth.authenticate(raw, '127.0.0.1')).resolves.toBeDefined();
    await bus.publish({ kind: 'api-key', id: state.row.id });
    await expect(auth.authenticate(raw, '127.0.0.1')).rejects.toMatchObject({ code: 'invalid_api_key' });

    state.row = { ...state.row, status: 'ACTIVE' };
    await auth.authenticate(raw, '127.0.0.1');
    state.blocked = true;
    await bus.publish({ kind: 'rules', id: state.row.accountId });
    await expect(auth.authenticate(raw, '127.0.0.1')).resolves.toBeDefined();
    await bus.publish({ kind: 'account', id: 'any-account' });
    await expect(auth.authenticate(raw, '127.0.0.1')).rejects.toMatchObject({ code: 'account_suspended' });
  });

  it('still checks expiry and the address on cached keys', async () => {
    const { raw, auth, state } = setup({ expiresAt: new Date(Date.now() + 150), ipAllowList: ['127.0.0.1'] });
    await auth.authenticate(raw, '127.0.0.1');
    await expect(auth.authenticate(raw, '127.0.0.2')).rejects.toMatchObject({ code: 'ip_not_allowed' });
    await new Promise((r) => setTimeout(r, 200));
    await expect(auth.authenticate(raw, '127.0.0.1')).rejects.toMatchObject({ code: 'invalid_api_key' });
    expect(state.lookups).toBe(1);
  });

  it('does not cache a lookup that raced an invalidation', async () => {
    const { raw, auth, state, bus } = setup();
    const pending = auth.authenticate(raw, '127.0.0.1');
    await bus.publish({ kind: 'api-key', id: state.row.id });
    await pending;
    await auth.authenticate(raw, '127.0.0.1');
    expect(state.lookups).toBe(2);
  });

  it('stops listening when the module is destroyed', async () => {
    const { raw, auth, state, bus } = setup();
    await auth.authenticate(raw, '127.0.0.1');
    auth.onModuleDestroy();
    await bus.publish({ kind: 'api-key' });
    await auth.authenticate(raw, '127.0.0.1');
    expect(state.lookups).toBe(1);
  });
});
