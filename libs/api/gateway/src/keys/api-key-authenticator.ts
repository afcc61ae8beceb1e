import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { TreeRepository } from '@tiergate/api-accounts';
import { ForbiddenError, type Invalidation, InvalidationBus, UnauthenticatedError } from '@tiergate/api-core';
import type { ApiKey, ApiKeyQuotaRule } from '@tiergate/api-db';
import { API_KEY_SHAPE, hashApiKey } from './api-key-format.js';
import { ApiKeysRepository } from './api-keys.repository.js';
import { type IpAllowList, compileAllowList, isIpAllowed } from './ip-allow-list.js';

/** Who a relay request acts for, once its key is accepted. */
export interface KeyPrincipal {
  keyId: string;
  accountId: string;
  /** Models the key may call; empty = every model the owner may use. */
  models: string[];
  allowChannelPin: boolean;
  /** The key's own requests/tokens per minute; null = none. */
  rpmLimit: number | null;
  tpmLimit: number | null;
  /** The key's own quota rules, checked on the owner's level. */
  quotaRules: ApiKeyQuotaRule[];
}

interface CachedKey {
  principal: KeyPrincipal;
  expiresAt: number | null;
  allow: IpAllowList;
  /** Date.now() after which the entry is read again. */
  until: number;
}

/** How long a successful lookup is trusted without reading the database again. */
export const API_KEY_CACHE_TTL_MS = 5_000;
const API_KEY_CACHE_MAX = 10_000;

/**
 * Turns a presented relay key into a principal. Successful lookups are cached in memory for a
 * few seconds, keyed by the key's hash; a revocation ('api-key') or any account change
 * ('account': the owner's subtree may be suspended) drops them on every replica. A suspension
 * that publishes nothing still takes effect once the entry expires.
 */
@Injectable()
export class ApiKeyAuthenticator implements OnModuleDestroy {
  private readonly logger = new Logger('ApiKeyAuthenticator');
  private readonly cache = new Map<string, CachedKey>();
  /** Bumped by every invalidation, so a lookup that raced one is not cached. */
  private generation = 0;
  private readonly unsubscribe: () => void;

  constructor(
    private readonly keys: ApiKeysRepository,
    private readonly tree: TreeRepository,
    bus: InvalidationBus,
  ) {
    this.unsubscribe = bus.subscribe((event) => this.onInvalidation(event));
  }

  /** `rawKey` as extractApiKey found it; null or undefined when the request carried none. */
  async authenticate(rawKey: string | null | undefined, ip: string): Promise<KeyPrincipal> {
    if (!rawKey) throw new UnauthenticatedError('invalid_api_key', 'Send an API key: Authorization: Bearer tg-…');
    if (!API_KEY_SHAPE.test(rawKey)) throw new UnauthenticatedError('invalid_api_key', 'Invalid API key');
    const hash = hashApiKey(rawKey);
    const now = Date.now();
    let entry = this.cache.get(hash);
    if (!entry || entry.until <= now) {
      this.cache.delete(hash);
      const generation = this.generation;
      entry = await this.load(hash, now);
      if (generation === this.generation) this.remember(hash, entry);
    }
    if (entry.expiresAt !== null && entry.expiresAt <= now) throw new UnauthenticatedError('invalid_api_key', 'This API key has expired');
    if (!isIpAllowed(entry.allow, ip)) throw new ForbiddenError('ip_not_allowed', `This API key may not be used from ${ip}`);
    return { ...entry.principal, models: [...entry.principal.models], quotaRules: [...entry.principal.quotaRules] };
  }

  /** Drops a key from this replica's cache at once (the bus tells the others). */
  forget(keyId?: string): void {
    this.generation++;
    if (keyId === undefined) {
      this.cache.clear();
      return;
    }
    for (const [hash, entry] of this.cache) if (entry.principal.keyId === keyId) this.cache.delete(hash);
  }

  onModuleDestroy(): void {
    this.unsubscribe();
  }

  private onInvalidation(event: Invalidation): void {
    if (event.kind === 'api-key') this.forget(event.id);
    // A simple, safe rule: any account change may suspend an owner's ancestor.
    else if (event.kind === 'account') this.forget();
  }

  private async load(hash: string, now: number): Promise<CachedKey> {
    const key = await this.keys.findByHash(hash);
    if (!key || key.status !== 'ACTIVE') throw new UnauthenticatedError('invalid_api_key', 'Invalid API key');
    if (await this.tree.isBlocked(key.accountId)) {
      throw new ForbiddenError('account_suspended', 'The account of this API key, or one above it, is suspended');
    }
    await this.keys.touch(key.id, new Date(now)).catch((err: unknown) => this.logger.warn(`could not record the use of key ${key.id}: ${String(err)}`));
    return cachedOf(key, now);
  }

  private remember(hash: string, entry: CachedKey): void {
    if (this.cache.size >= API_KEY_CACHE_MAX) {
      const oldest = this.cache.keys().next();
      if (!oldest.done) this.cache.delete(oldest.value);
    }
    this.cache.set(hash, entry);
  }
}

function cachedOf(key: ApiKey & { quotaRules?: ApiKeyQuotaRule[] }, now: number): CachedKey {
  return {
    principal: { keyId: key.id, accountId: key.accountId, models: key.models, allowChannelPin: key.allowChannelPin, rpmLimit: key.rpmLimit, tpmLimit: key.tpmLimit, quotaRules: key.quotaRules ?? [] },
    expiresAt: key.expiresAt?.getTime() ?? null,
    allow: compileAllowList(key.ipAllowList),
    until: now + API_KEY_CACHE_TTL_MS,
  };
}
