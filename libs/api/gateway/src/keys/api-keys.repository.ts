import { Injectable } from '@nestjs/common';
import { decodeCursor, encodeCursor } from '@tiergate/api-accounts';
import { NotFoundError } from '@tiergate/api-core';
import { type ApiKey, type ApiKeyQuotaRule, PrismaService, type Tx } from '@tiergate/api-db';
import type { Page } from '@tiergate/contracts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface NewApiKey {
  name: string;
  prefix: string;
  keyHash: string;
  models: string[];
  ipAllowList: string[];
  expiresAt: Date | null;
  allowChannelPin: boolean;
  rpmLimit?: number | null;
  tpmLimit?: number | null;
}

/**
 * Relay keys. Management reads and writes take the owner account first — an id the caller
 * resolved through the access rule — so a key of another account is never found. The one
 * exception is `findByHash`: there the key itself is the credential.
 */
@Injectable()
export class ApiKeysRepository {
  constructor(private readonly prisma: PrismaService) {}

  create(tx: Tx, accountId: string, data: NewApiKey): Promise<ApiKey> {
    return tx.apiKey.create({ data: { ...data, accountId } });
  }

  /** The owner's keys, newest first. */
  async page(accountId: string, limit = 50, cursor?: string, db: Tx = this.prisma): Promise<Page<ApiKey>> {
    const after = cursor ? decodeCursor(cursor) : undefined;
    const rows = await db.apiKey.findMany({
      where: {
        accountId,
        ...(after && { OR: [{ createdAt: { lt: after.createdAt } }, { createdAt: after.createdAt, id: { lt: after.id } }] }),
      },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      take: limit + 1,
    });
    const items = rows.slice(0, limit);
    return { items, nextCursor: rows.length > limit ? encodeCursor(items.at(-1)!) : null };
  }

  async findOf(accountId: string, keyId: string, db: Tx = this.prisma): Promise<ApiKey> {
    const key = UUID.test(keyId) ? await db.apiKey.findFirst({ where: { id: keyId, accountId } }) : null;
    if (!key) throw new NotFoundError('api_key_not_found', `No API key ${keyId} on this account`);
    return key;
  }

  /** Changes an active key of the owner; null when it is revoked. */
  async update(tx: Tx, accountId: string, keyId: string, data: Partial<NewApiKey>): Promise<ApiKey | null> {
    const { count } = await tx.apiKey.updateMany({ where: { id: keyId, accountId, status: 'ACTIVE' }, data });
    return count === 0 ? null : tx.apiKey.findUniqueOrThrow({ where: { id: keyId } });
  }

  /** Revokes an active key of the owner; null when it was already revoked. */
  async revoke(tx: Tx, accountId: string, keyId: string, at = new Date()): Promise<ApiKey | null> {
    const { count } = await tx.apiKey.updateMany({ where: { id: keyId, accountId, status: 'ACTIVE' }, data: { status: 'REVOKED', revokedAt: at } });
    return count === 0 ? null : tx.apiKey.findUniqueOrThrow({ where: { id: keyId } });
  }

  /** The authentication lookup: by the SHA-256 of the presented key, whatever its status, with its own quota rules. */
  findByHash(keyHash: string, db: Tx = this.prisma): Promise<(ApiKey & { quotaRules: ApiKeyQuotaRule[] }) | null> {
    return db.apiKey.findUnique({ where: { keyHash }, include: { quotaRules: true } });
  }

  async touch(keyId: string, at = new Date(), db: Tx = this.prisma): Promise<void> {
    await db.apiKey.updateMany({ where: { id: keyId }, data: { lastUsedAt: at } });
  }
}
