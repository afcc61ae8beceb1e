import { Injectable } from '@nestjs/common';
import { AccessService, AuditRepository, MAIN_RULE_SHAPE, type RequestMeta } from '@tiergate/api-accounts';
import { type Actor, InvalidInputError, InvalidationBus, ForbiddenError } from '@tiergate/api-core';
import { PrismaService } from '@tiergate/api-db';
import type { CreateQuotaRuleDto, QuotaRuleView, QuotaView, UpdateQuotaRuleDto } from '@tiergate/contracts';
import { LedgerDriver } from '../ledger.types.js';
import { QuotaRulesRepository } from './quota-rules.repository.js';
import { counterOf, shapeOf } from './rule-shape.js';
import { ruleColumns, ruleView, toWindow } from './rule-view.js';

@Injectable()
export class QuotaService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly access: AccessService,
    private readonly rules: QuotaRulesRepository,
    private readonly ledger: LedgerDriver,
    private readonly audit: AuditRepository,
    private readonly bus: InvalidationBus,
  ) {}

  /** Every rule of the account with what is used in its current window and when that ends. */
  async view(actor: Actor, accountId: string, now = new Date()): Promise<QuotaView> {
    const { account } = await this.access.requireAccess(actor, accountId, 'read');
    const rules = await this.rules.listFor(account.id);
    const counters = rules.map((r) => counterOf(r, now));
    const used = await this.ledger.used(counters);
    return {
      accountId: account.id,
      oversell: account.oversell,
      rules: rules.map((r, i) => ruleView(r, used[i] ?? 0n, counters[i]!.resetsAt)),
    };
  }

  async addRule(actor: Actor, accountId: string, dto: CreateQuotaRuleDto, meta: RequestMeta = {}): Promise<QuotaRuleView> {
    const { account } = await this.access.requireAccess(actor, accountId, 'manage');
    const window = toWindow(dto.window);
    const shape = shapeOf(dto.unit, window);
    if (shape === MAIN_RULE_SHAPE) throw new InvalidInputError('use_grants', 'The lifetime credit limit is the balance: change it with a grant');
    const rule = await this.prisma.$transaction(async (tx) => {
      const created = await this.rules.create(tx, {
        accountId: account.id,
        ...ruleColumns(dto, window),
      });
      await this.audit.append(tx, { actorId: actor.accountId, action: 'quota.rule.create', targetId: account.id, after: { ...created, limit: created.limit?.toString() ?? null }, ...meta });
      return created;
    });
    await this.bus.publish({ kind: 'rules', id: account.id });
    const counter = counterOf(rule, new Date());
    return ruleView(rule, 0n, counter.resetsAt);
  }

  async updateRule(actor: Actor, accountId: string, ruleId: string, dto: UpdateQuotaRuleDto, meta: RequestMeta = {}): Promise<QuotaRuleView> {
    const { account } = await this.access.requireAccess(actor, accountId, 'manage');
    const before = await this.rules.findOf(account.id, ruleId);
    if (before.shape === MAIN_RULE_SHAPE) throw new ForbiddenError('use_grants', 'The lifetime credit limit is the balance: change it with a grant');
    const limit = dto.limit === null ? null : BigInt(dto.limit);
    const rule = await this.prisma.$transaction(async (tx) => {
      const updated = await this.rules.setLimit(tx, ruleId, limit);
      await this.audit.append(tx, {
        actorId: actor.accountId,
        action: 'quota.rule.update',
        targetId: account.id,
        before: { ruleId, limit: before.limit?.toString() ?? null },
        after: { ruleId, limit: updated.limit?.toString() ?? null },
        ...meta,
      });
      return updated;
    });
    await this.bus.publish({ kind: 'rules', id: account.id });
    const counter = counterOf(rule, new Date());
    const [used] = await this.ledger.used([counter]);
    return ruleView(rule, used ?? 0n, counter.resetsAt);
  }

  async deleteRule(actor: Actor, accountId: string, ruleId: string, meta: RequestMeta = {}): Promise<void> {
    const { account } = await this.access.requireAccess(actor, accountId, 'manage');
    const rule = await this.rules.findOf(account.id, ruleId);
    if (rule.shape === MAIN_RULE_SHAPE) throw new ForbiddenError('main_rule', 'The balance rule cannot be removed');
    await this.prisma.$transaction(async (tx) => {
      await this.rules.delete(tx, ruleId);
      await this.audit.append(tx, { actorId: actor.accountId, action: 'quota.rule.delete', targetId: account.id, before: { ruleId, shape: rule.shape }, ...meta });
    });
    await this.bus.publish({ kind: 'rules', id: account.id });
  }
}
