import { Injectable } from '@nestjs/common';
import { AccessService, AuditRepository, type RequestMeta } from '@tiergate/api-accounts';
import { type Actor, ConflictError, InvalidationBus, NotFoundError } from '@tiergate/api-core';
import { type ApiKeyQuotaRule, Prisma, PrismaService } from '@tiergate/api-db';
import type { CreateQuotaRuleDto, KeyQuotaView, QuotaRuleView, UpdateQuotaRuleDto } from '@tiergate/contracts';
import { LedgerDriver } from '../ledger.types.js';
import { counterOf, shapeOf } from './rule-shape.js';
import { ruleColumns, ruleView, toWindow } from './rule-view.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * A key's own quota rules: the owner caps its keys (self-service), and so may its parent. They
 * are checked on the owner's level with that level's charges, in the same reserve as the chain's.
 */
@Injectable()
export class KeyQuotaService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly access: AccessService,
    private readonly ledger: LedgerDriver,
    private readonly audit: AuditRepository,
    private readonly bus: InvalidationBus,
  ) {}

  async view(actor: Actor, accountId: string, keyId: string, now = new Date()): Promise<KeyQuotaView> {
    const key = await this.keyOf(actor, accountId, keyId);
    const rules = await this.prisma.apiKeyQuotaRule.findMany({ where: { apiKeyId: key.id }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] });
    const counters = rules.map((r) => counterOf(r, now));
    const used = await this.ledger.used(counters);
    return { apiKeyId: key.id, rules: rules.map((r, i) => ruleView(r, used[i] ?? 0n, counters[i]!.resetsAt)) };
  }

  async addRule(actor: Actor, accountId: string, keyId: string, dto: CreateQuotaRuleDto, meta: RequestMeta = {}): Promise<QuotaRuleView> {
    const key = await this.keyOf(actor, accountId, keyId);
    const window = toWindow(dto.window);
    const shape = shapeOf(dto.unit, window);
    let rule: ApiKeyQuotaRule;
    try {
      rule = await this.prisma.$transaction(async (tx) => {
        const created = await tx.apiKeyQuotaRule.create({
          data: {
            apiKeyId: key.id,
            ...ruleColumns(dto, window),
          },
        });
        await this.audit.append(tx, { actorId: actor.accountId, action: 'api-key.quota.create', targetId: key.accountId, after: { apiKeyId: key.id, shape, limit: created.limit?.toString() ?? null }, ...meta });
        return created;
      });
    } catch (err) {
      if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002') throw new ConflictError('rule_exists', 'This key already has a rule of that unit and window; change its limit instead');
      throw err;
    }
    await this.bus.publish({ kind: 'api-key', id: key.id });
    return ruleView(rule, 0n, counterOf(rule, new Date()).resetsAt);
  }

  async updateRule(actor: Actor, accountId: string, keyId: string, ruleId: string, dto: UpdateQuotaRuleDto, meta: RequestMeta = {}): Promise<QuotaRuleView> {
    const key = await this.keyOf(actor, accountId, keyId);
    const before = await this.ruleOf(key.id, ruleId);
    const limit = dto.limit === null ? null : BigInt(dto.limit);
    const rule = await this.prisma.$transaction(async (tx) => {
      const updated = await tx.apiKeyQuotaRule.update({ where: { id: before.id }, data: { limit } });
      await this.audit.append(tx, {
        actorId: actor.accountId,
        action: 'api-key.quota.update',
        targetId: key.accountId,
        before: { apiKeyId: key.id, ruleId, limit: before.limit?.toString() ?? null },
        after: { apiKeyId: key.id, ruleId, limit: updated.limit?.toString() ?? null },
        ...meta,
      });
      return updated;
    });
    await this.bus.publish({ kind: 'api-key', id: key.id });
    const counter = counterOf(rule, new Date());
    const [used] = await this.ledger.used([counter]);
    return ruleView(rule, used ?? 0n, counter.resetsAt);
  }

  async deleteRule(actor: Actor, accountId: string, keyId: string, ruleId: string, meta: RequestMeta = {}): Promise<void> {
    const key = await this.keyOf(actor, accountId, keyId);
    const rule = await this.ruleOf(key.id, ruleId);
    await this.prisma.$transaction(async (tx) => {
      await tx.apiKeyQuotaRule.delete({ where: { id: rule.id } });
      await this.audit.append(tx, { actorId: actor.accountId, action: 'api-key.quota.delete', targetId: key.accountId, before: { apiKeyId: key.id, ruleId, shape: rule.shape }, ...meta });
    });
    await this.bus.publish({ kind: 'api-key', id: key.id });
  }

  /** The key, if the actor may manage the account's keys (the owner or its parent) and the key is that account's. */
  private async keyOf(actor: Actor, accountId: string, keyId: string) {
    const { account } = await this.access.requireAccess(actor, accountId, 'self-service');
    const key = UUID.test(keyId) ? await this.prisma.apiKey.findFirst({ where: { id: keyId, accountId: account.id } }) : null;
    if (!key) throw new NotFoundError('api_key_not_found', `No API key ${keyId} on this account`);
    return key;
  }

  private async ruleOf(apiKeyId: string, ruleId: string): Promise<ApiKeyQuotaRule> {
    const rule = UUID.test(ruleId) ? await this.prisma.apiKeyQuotaRule.findFirst({ where: { id: ruleId, apiKeyId } }) : null;
    if (!rule) throw new NotFoundError('quota_rule_not_found', `No rule ${ruleId} on this API key`);
    return rule;
  }
}
