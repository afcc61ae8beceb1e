import { Injectable } from '@nestjs/common';
import { MAIN_RULE_SHAPE } from '@tiergate/api-accounts';
import { Prisma, PrismaService, type QuotaRule, type Tx } from '@tiergate/api-db';
import { ConflictError, NotFoundError } from '@tiergate/api-core';

/** Quota rules. Every method takes an account id the caller resolved through the access rule. */
@Injectable()
export class QuotaRulesRepository {
  constructor(private readonly prisma: PrismaService) {}

  listFor(accountId: string, db: Tx = this.prisma): Promise<QuotaRule[]> {
    return db.quotaRule.findMany({ where: { accountId }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] });
  }

  listForMany(accountIds: string[], db: Tx = this.prisma): Promise<QuotaRule[]> {
    return db.quotaRule.findMany({ where: { accountId: { in: accountIds } } });
  }

  async create(tx: Tx, data: Prisma.QuotaRuleUncheckedCreateInput): Promise<QuotaRule> {
    try {
      return await tx.quotaRule.create({ data });
    } catch (err) {
      if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002') {
        throw new ConflictError('rule_exists', 'The account already has a rule with this unit and window; change its limit instead');
      }
      throw err;
    }
  }

  async findOf(accountId: string, ruleId: string, db: Tx = this.prisma): Promise<QuotaRule> {
    const rule = await db.quotaRule.findFirst({ where: { id: ruleId, accountId } });
    if (!rule) throw new NotFoundError('rule_not_found', `No rule ${ruleId} on this account`);
    return rule;
  }

  setLimit(tx: Tx, ruleId: string, limit: bigint | null): Promise<QuotaRule> {
    return tx.quotaRule.update({ where: { id: ruleId }, data: { limit } });
  }

  async delete(tx: Tx, ruleId: string): Promise<void> {
    await tx.quotaRule.delete({ where: { id: ruleId } });
  }

  /** The balance rule, row-locked so concurrent grants to one account serialize. */
  async lockMainRule(tx: Tx, accountId: string): Promise<QuotaRule> {
    const rows = await tx.$queryRaw<{ id: string }[]>`
      SELECT id FROM quota_rule WHERE account_id = ${accountId}::uuid AND shape = ${MAIN_RULE_SHAPE} FOR UPDATE`;
    if (!rows[0]) throw new NotFoundError('rule_not_found', 'The account has no balance rule');
    return tx.quotaRule.findUniqueOrThrow({ where: { id: rows[0].id } });
  }

  /** Sum of the credit limits of an account's direct children (their balance rules). */
  async sumOfChildLimits(tx: Tx, parentId: string): Promise<bigint> {
    const rows = await tx.$queryRaw<{ total: bigint | null }[]>`
      SELECT COALESCE(SUM(r.limit_value), 0)::bigint AS total
      FROM account a JOIN quota_rule r ON r.account_id = a.id AND r.shape = ${MAIN_RULE_SHAPE}
      WHERE a.parent_id = ${parentId}::uuid`;
    return rows[0]?.total ?? 0n;
  }
}
