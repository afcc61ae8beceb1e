import { Injectable } from '@nestjs/common';
import { AccessService, AuditRepository, type RequestMeta } from '@tiergate/api-accounts';
import { type Actor, ConflictError, InvalidInputError, InvalidationBus } from '@tiergate/api-core';
import { type Grant, PrismaService, type Tx } from '@tiergate/api-db';
import type { GrantDto, GrantView, Page } from '@tiergate/contracts';
import { QuotaRulesRepository } from '../rules/quota-rules.repository.js';

export function grantView(g: Grant): GrantView {
  return {
    id: g.id.toString(),
    granterId: g.granterId,
    accountId: g.accountId,
    delta: g.delta.toString(),
    limitAfter: g.limitAfter.toString(),
    note: g.note,
    externalRef: g.externalRef,
    createdAt: g.createdAt.toISOString(),
  };
}

export interface GrantInput {
  granterId: string;
  childId: string;
  delta: bigint;
  note?: string;
  externalRef?: string;
  codeId?: string;
}

@Injectable()
export class GrantsService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly access: AccessService,
    private readonly rules: QuotaRulesRepository,
    private readonly audit: AuditRepository,
    private readonly bus: InvalidationBus,
  ) {}

  /** A parent changes a direct child's credit limit. */
  async grant(actor: Actor, childId: string, dto: GrantDto, meta: RequestMeta = {}): Promise<GrantView> {
    const { account: child } = await this.access.requireAccess(actor, childId, 'manage');
    const delta = BigInt(dto.delta);
    if (delta === 0n) throw new InvalidInputError('zero_grant', 'delta must not be 0');
    const grant = await this.prisma.$transaction(async (tx) => {
      const g = await this.applyGrant(tx, { granterId: actor.accountId, childId: child.id, delta, note: dto.note, externalRef: dto.externalRef });
      await this.audit.append(tx, { actorId: actor.accountId, action: 'grant', targetId: child.id, after: grantView(g), ...meta });
      return g;
    });
    await this.bus.publish({ kind: 'rules', id: child.id });
    return grantView(grant);
  }

  /**
   * The grant itself, inside the caller's transaction. The granter's balance rule is locked
   * first, so concurrent grants by one parent serialize and the oversell check cannot race.
   */
  async applyGrant(tx: Tx, input: GrantInput): Promise<Grant> {
    const granterRule = await this.rules.lockMainRule(tx, input.granterId);
    const childRule = await this.rules.lockMainRule(tx, input.childId);
    if (childRule.limit === null) throw new ConflictError('unlimited', 'This account has no credit limit to change');
    const limitAfter = childRule.limit + input.delta;
    if (limitAfter < 0n) {
      throw new InvalidInputError('limit_below_zero', `The credit limit would become ${limitAfter} µc; it cannot go below 0`);
    }
    if (input.delta > 0n && granterRule.limit !== null) {
      const granter = await tx.account.findUniqueOrThrow({ where: { id: input.granterId }, select: { oversell: true } });
      if (!granter.oversell) {
        const committed = (await this.rules.sumOfChildLimits(tx, input.granterId)) + input.delta;
        if (committed > granterRule.limit) {
          throw new ConflictError(
            'oversell_refused',
            `Your children's credit limits would total ${committed} µc, over your own limit of ${granterRule.limit} µc, and overselling is not enabled for your account`,
          );
        }
      }
    }
    await this.rules.setLimit(tx, childRule.id, limitAfter);
    return tx.grant.create({
      data: {
        granterId: input.granterId,
        accountId: input.childId,
        delta: input.delta,
        limitAfter,
        note: input.note,
        externalRef: input.externalRef,
        codeId: input.codeId,
      },
    });
  }

  /** The grant journal of an account the actor may read, newest first. */
  async list(actor: Actor, accountId: string, limit = 50, cursor?: string): Promise<Page<GrantView>> {
    const { account } = await this.access.requireAccess(actor, accountId, 'read');
    const before = cursor && /^\d{1,19}$/.test(cursor) ? BigInt(cursor) : undefined;
    if (cursor && before === undefined) throw new InvalidInputError('invalid_cursor', 'The cursor is not one this API returned');
    const rows = await this.prisma.grant.findMany({
      where: { accountId: account.id, ...(before !== undefined && { id: { lt: before } }) },
      orderBy: { id: 'desc' },
      take: limit + 1,
    });
    const items = rows.slice(0, limit);
    return { items: items.map(grantView), nextCursor: rows.length > limit ? items.at(-1)!.id.toString() : null };
  }

  async setOversell(actor: Actor, accountId: string, oversell: boolean, meta: RequestMeta = {}): Promise<{ oversell: boolean }> {
    const { account } = await this.access.requireAccess(actor, accountId, 'manage');
    await this.prisma.$transaction(async (tx) => {
      await tx.account.update({ where: { id: account.id }, data: { oversell } });
      await this.audit.append(tx, {
        actorId: actor.accountId,
        action: 'settings.oversell',
        targetId: account.id,
        before: { oversell: account.oversell },
        after: { oversell },
        ...meta,
      });
    });
    await this.bus.publish({ kind: 'account', id: account.id });
    return { oversell };
  }
}
