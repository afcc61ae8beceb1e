import { Injectable } from '@nestjs/common';
import { type Actor, ForbiddenError, NotFoundError } from '@tiergate/api-core';
import { type Account, PrismaService, type Tx } from '@tiergate/api-db';
import { type AccessAction, type Relation, isAllowed, relationOfDepth } from './access-policy.js';

export interface AccessibleAccount {
  account: Account;
  relation: Relation;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

@Injectable()
export class AccessService {
  constructor(private readonly prisma: PrismaService) {}

  /**
   * Resolves the target through the actor's own subtree — one indexed join — so an account
   * outside it is simply not found (its existence is not revealed). Deny by default.
   */
  async requireAccess(actor: Actor, targetId: string, action: AccessAction, db: Tx = this.prisma): Promise<AccessibleAccount> {
    if (!UUID.test(targetId)) throw new NotFoundError('account_not_found', `No account ${JSON.stringify(targetId)} in your tree`);
    const rows = await db.$queryRaw<(Account & { depth: number })[]>`
      SELECT a.id, a.kind::text AS kind, a.parent_id AS "parentId", a.status::text AS status, a.name, a.oversell,
             a.created_at AS "createdAt", a.updated_at AS "updatedAt", c.depth
      FROM account_closure c JOIN account a ON a.id = c.descendant_id
      WHERE c.ancestor_id = ${actor.accountId}::uuid AND c.descendant_id = ${targetId}::uuid`;
    const row = rows[0];
    if (!row) throw new NotFoundError('account_not_found', `No account ${targetId} in your tree`);
    const relation = relationOfDepth(row.depth);
    if (!isAllowed(action, relation)) {
      throw new ForbiddenError('access_denied', `You may not ${action.replace('-', ' ')} ${relation === 'self' ? 'your own account' : 'this account'}`);
    }
    const { depth: _depth, ...account } = row;
    return { account, relation };
  }
}
