import type { ApiKey } from '@tiergate/api-db';
import type { ApiKeyView } from '@tiergate/contracts';

/** The view of a key: never the key itself nor its hash. */
export function apiKeyView(k: ApiKey): ApiKeyView {
  return {
    id: k.id,
    accountId: k.accountId,
    name: k.name,
    prefix: k.prefix,
    models: k.models,
    ipAllowList: k.ipAllowList,
    expiresAt: k.expiresAt?.toISOString() ?? null,
    status: k.status,
    allowChannelPin: k.allowChannelPin,
    rpmLimit: k.rpmLimit,
    tpmLimit: k.tpmLimit,
    lastUsedAt: k.lastUsedAt?.toISOString() ?? null,
    createdAt: k.createdAt.toISOString(),
    revokedAt: k.revokedAt?.toISOString() ?? null,
  };
}
