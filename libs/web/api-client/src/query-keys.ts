/** Every query key of the consoles, in one place so that mutations invalidate the right ones. */
export const queryKeys = {
  me: ['me'] as const,
  account: (id: string) => ['account', id] as const,
  children: (id: string, cursor?: string | null, limit?: number) => ['account', id, 'children', cursor ?? null, limit ?? null] as const,
  childrenOf: (id: string) => ['account', id, 'children'] as const,
  quota: (id: string) => ['account', id, 'quota'] as const,
  grants: (id: string, cursor?: string | null) => ['account', id, 'grants', cursor ?? null] as const,
  priceList: (id: string) => ['account', id, 'price-list'] as const,
  prices: (id: string) => ['account', id, 'prices'] as const,
  apiKeys: (id: string, cursor?: string | null) => ['account', id, 'api-keys', cursor ?? null] as const,
  codes: (id: string, cursor?: string | null) => ['account', id, 'codes', cursor ?? null] as const,
  catalog: ['catalog'] as const,
  channels: (cursor?: string | null) => ['channels', cursor ?? null] as const,
  channelEvents: (id: string, cursor?: string | null) => ['channels', id, 'events', cursor ?? null] as const,
  relayModels: (key: string) => ['relay', 'models', key] as const,
  accounts: ['account'] as const,
};
