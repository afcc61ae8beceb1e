import { Injectable } from '@nestjs/common';
import { ConflictError, InvalidInputError } from '@tiergate/api-core';
import { type Account, type AccountKind, type AccountStatus, Prisma, PrismaService, type Tx } from '@tiergate/api-db';
import type { Page } from '@tiergate/contracts';
import { MAIN_RULE_SHAPE } from './main-balance.js';

interface Cursor {
  createdAt: Date;
  id: string;
}

export function encodeCursor(account: Pick<Account, 'createdAt' | 'id'>): string {
  return Buffer.from(JSON.stringify([new Date(account.createdAt).toISOString(), account.id])).toString('base64url');
}

export function decodeCursor(cursor: string): Cursor {
  try {
    const [createdAt, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [string, string];
    const date = new Date(createdAt);
    if (typeof id !== 'string' || !/^[0-9a-f-]{36}$/i.test(id) || Number.isNaN(date.getTime())) throw new Error('bad');
    return { createdAt: date, id };
  } catch {
    throw new InvalidInputError('invalid_cursor', 'The cursor is not one this API returned');
  }
}

/**
 * Account rows. Reads that could cross subtrees go through AccessService, which resolves the
 * target within the actor's subtree; the reads here take an id already resolved that way.
 */
@Injectable()
export class AccountsRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** The account row and its balance rule, in the caller's transaction. */
  async insert(tx: Tx, data: { kind: AccountKind; name: string; parentId: string | null }): Promise<Account> {
    const account = await tx.account.create({ data });
    await tx.quotaRule.create({
      data: {
        accountId: account.id,
        unit: 'CREDITS',
        windowKind: 'LIFETIME',
        shape: MAIN_RULE_SHAPE,
        limit: data.kind === 'MASTER' ? null : 0n,
      },
    });
    return account;
  }

  async insertCredential(tx: Tx, accountId: string, username: string, passwordHash: string): Promise<void> {
    try {
      await tx.credential.create({ data: { accountId, username, passwordHash } });
    } catch (err) {
      if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002') {
        throw new ConflictError('username_taken', `The username "${username}" is already taken`);
      }
      throw err;
    }
  }

  async update(tx: Tx, id: string, data: { name?: string; status?: AccountStatus }): Promise<Account> {
    return tx.account.update({ where: { id }, data });
  }

  /** Direct children of an account already resolved through the access rule, oldest first. */
  async childrenPage(parentId: string, limit: number, cursor?: string): Promise<Page<Account>> {
    const after = cursor ? decodeCursor(cursor) : undefined;
    const rows = await this.prisma.account.findMany({
      where: {
        parentId,
        ...(after && {
          OR: [{ createdAt: { gt: after.createdAt } }, { createdAt: after.createdAt, id: { gt: after.id } }],
        }),
      },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      take: limit + 1,
    });
    const items = rows.slice(0, limit);
    return { items, nextCursor: rows.length > limit ? encodeCursor(items[items.length - 1]!) : null };
  }

  async findMaster(db: Tx = this.prisma): Promise<Account | null> {
    return db.account.findFirst({ where: { kind: 'MASTER' } });
  }

  async findCredential(username: string) {
    return this.prisma.credential.findUnique({ where: { username }, include: { account: true } });
  }

  async findById(id: string): Promise<Account | null> {
    return this.prisma.account.findUnique({ where: { id } });
  }
}
