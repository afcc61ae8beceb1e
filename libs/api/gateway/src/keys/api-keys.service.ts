import { Injectable } from '@nestjs/common';
import { AccessService, AuditRepository, type RequestMeta } from '@tiergate/api-accounts';
import { type Actor, ConflictError, InvalidInputError, InvalidationBus } from '@tiergate/api-core';
import { type Account, PrismaService } from '@tiergate/api-db';
import type { ApiKeyView, CreateApiKeyDto, CreatedApiKey, Page, UpdateApiKeyDto } from '@tiergate/contracts';
import { normalizeModelList } from '../common/model-list.js';
import { ApiKeyAuthenticator } from './api-key-authenticator.js';
import { generateApiKey, hashApiKey, prefixOfApiKey } from './api-key-format.js';
import { apiKeyView } from './api-key.mapper.js';
import { ApiKeysRepository } from './api-keys.repository.js';
import { normalizeAllowList } from './ip-allow-list.js';

const KEY_OWNER_KINDS: readonly Account['kind'][] = ['USER', 'TENANT'];

/**
 * Relay keys of USER and TENANT accounts. Managed by the owner itself or its direct parent
 * (the 'self-service' action); the key is shown once, only its SHA-256 is kept.
 */
@Injectable()
export class ApiKeysService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly access: AccessService,
    private readonly keys: ApiKeysRepository,
    private readonly audit: AuditRepository,
    private readonly bus: InvalidationBus,
    private readonly authenticator: ApiKeyAuthenticator,
  ) {}

  async create(actor: Actor, accountId: string, dto: CreateApiKeyDto, meta: RequestMeta = {}): Promise<CreatedApiKey> {
    const owner = await this.ownerOf(actor, accountId);
    const models = normalizeModelList(dto.models ?? []);
    const ipAllowList = normalizeAllowList(dto.ipAllowList ?? []);
    const expiresAt = dto.expiresAt ? new Date(dto.expiresAt) : null;
    if (expiresAt && expiresAt.getTime() <= Date.now()) throw new InvalidInputError('expired', 'expiresAt is in the past');
    const key = generateApiKey();
    const row = await this.prisma.$transaction(async (tx) => {
      const created = await this.keys.create(tx, owner.id, {
        name: dto.name,
        prefix: prefixOfApiKey(key),
        keyHash: hashApiKey(key),
        models,
        ipAllowList,
        expiresAt,
        allowChannelPin: dto.allowChannelPin ?? false,
        rpmLimit: dto.rpmLimit ?? null,
        tpmLimit: dto.tpmLimit ?? null,
      });
      await this.audit.append(tx, { actorId: actor.accountId, action: 'api-key.create', targetId: owner.id, after: apiKeyView(created), ...meta });
      return created;
    });
    return { ...apiKeyView(row), key };
  }

  async list(actor: Actor, accountId: string, limit = 50, cursor?: string): Promise<Page<ApiKeyView>> {
    const owner = await this.ownerOf(actor, accountId);
    const page = await this.keys.page(owner.id, limit, cursor);
    return { items: page.items.map(apiKeyView), nextCursor: page.nextCursor };
  }

  /** Changes the given fields of an active key (null clears expiry and limits); the next request sees them. */
  async update(actor: Actor, accountId: string, keyId: string, dto: UpdateApiKeyDto, meta: RequestMeta = {}): Promise<ApiKeyView> {
    if (Object.values(dto).every((v) => v === undefined)) throw new InvalidInputError('empty_update', 'Send at least one field to change');
    if (dto.name === null || dto.models === null || dto.ipAllowList === null || dto.allowChannelPin === null) {
      throw new InvalidInputError('invalid_request', 'name, models, ipAllowList and allowChannelPin cannot be null');
    }
    const owner = await this.ownerOf(actor, accountId);
    const before = await this.keys.findOf(owner.id, keyId);
    const expiresAt = dto.expiresAt === undefined ? undefined : dto.expiresAt === null ? null : new Date(dto.expiresAt);
    if (expiresAt && expiresAt.getTime() <= Date.now()) throw new InvalidInputError('expired', 'expiresAt is in the past');
    const changes = {
      ...(dto.name !== undefined && { name: dto.name }),
      ...(dto.models !== undefined && { models: normalizeModelList(dto.models) }),
      ...(dto.ipAllowList !== undefined && { ipAllowList: normalizeAllowList(dto.ipAllowList) }),
      ...(expiresAt !== undefined && { expiresAt }),
      ...(dto.allowChannelPin !== undefined && { allowChannelPin: dto.allowChannelPin }),
      ...(dto.rpmLimit !== undefined && { rpmLimit: dto.rpmLimit }),
      ...(dto.tpmLimit !== undefined && { tpmLimit: dto.tpmLimit }),
    };
    const after = await this.prisma.$transaction(async (tx) => {
      const updated = await this.keys.update(tx, owner.id, before.id, changes);
      if (!updated) throw new ConflictError('api_key_revoked', 'This API key is revoked; create a new one');
      await this.audit.append(tx, { actorId: actor.accountId, action: 'api-key.update', targetId: owner.id, before: apiKeyView(before), after: apiKeyView(updated), ...meta });
      return updated;
    });
    this.authenticator.forget(before.id);
    await this.bus.publish({ kind: 'api-key', id: before.id });
    return apiKeyView(after);
  }

  /** Idempotent: revoking a revoked key changes nothing. */
  async revoke(actor: Actor, accountId: string, keyId: string, meta: RequestMeta = {}): Promise<void> {
    const owner = await this.ownerOf(actor, accountId);
    const before = await this.keys.findOf(owner.id, keyId);
    const revoked = await this.prisma.$transaction(async (tx) => {
      const after = await this.keys.revoke(tx, owner.id, before.id);
      if (after) {
        await this.audit.append(tx, {
          actorId: actor.accountId,
          action: 'api-key.revoke',
          targetId: owner.id,
          before: apiKeyView(before),
          after: apiKeyView(after),
          ...meta,
        });
      }
      return after !== null;
    });
    if (!revoked) return;
    this.authenticator.forget(before.id);
    await this.bus.publish({ kind: 'api-key', id: before.id });
  }

  /** The access rule first (so a foreign account stays unseen), then the kind. */
  private async ownerOf(actor: Actor, accountId: string): Promise<Account> {
    const { account } = await this.access.requireAccess(actor, accountId, 'self-service');
    if (!KEY_OWNER_KINDS.includes(account.kind)) {
      throw new InvalidInputError('kind_cannot_own_keys', `Only USER and TENANT accounts own API keys; this one is a ${account.kind}`);
    }
    return account;
  }
}
