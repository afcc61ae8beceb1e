import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { TreeRepository } from '@tiergate/api-accounts';
import { InvalidationBus, NotFoundError } from '@tiergate/api-core';
import { PrismaService, type QuotaRule } from '@tiergate/api-db';
import { type LevelCharge, counterOf } from '@tiergate/api-ledger';
import type { LimitScope } from '../limits/traffic-limiter.js';
import { ChainPricesService, type ChainPricing, type Usage, costOf, divRoundHalfUp } from '@tiergate/api-pricing';

/** What the relay needs about a caller's chain, cached between requests. */
export interface CallerChain {
  /** Caller first, the master last. */
  accountIds: string[];
  blocked: boolean;
  rules: Map<string, QuotaRule[]>;
  pricing: ChainPricing;
  /** RPM/TPM of the chain's accounts that have any, caller first. */
  limits: LimitScope[];
}

const TTL_MS = 30_000;

/**
 * Loads and caches callers' chains, rules and prices; any invalidation drops the cache, so a
 * grant, a suspension or a price change is seen by the next request on every replica.
 */
@Injectable()
export class ChainQuoter implements OnModuleDestroy {
  private readonly cache = new Map<string, { at: number; chain: Promise<CallerChain> }>();
  private readonly unsubscribe: () => void;

  constructor(
    private readonly prisma: PrismaService,
    private readonly tree: TreeRepository,
    private readonly prices: ChainPricesService,
    bus: InvalidationBus,
  ) {
    this.unsubscribe = bus.subscribe(() => this.cache.clear());
  }

  onModuleDestroy(): void {
    this.unsubscribe();
  }

  chainOf(accountId: string): Promise<CallerChain> {
    const hit = this.cache.get(accountId);
    if (hit && Date.now() - hit.at < TTL_MS) return hit.chain;
    const chain = this.load(accountId);
    this.cache.set(accountId, { at: Date.now(), chain });
    chain.catch(() => this.cache.delete(accountId));
    return chain;
  }

  private async load(accountId: string): Promise<CallerChain> {
    const ancestors = await this.tree.ancestors(accountId);
    const accountIds = ancestors.map((a) => a.id);
    const [accounts, rules, pricing] = await Promise.all([
      this.prisma.account.findMany({ where: { id: { in: accountIds } }, select: { id: true, status: true, rpmLimit: true, tpmLimit: true } }),
      this.prisma.quotaRule.findMany({ where: { accountId: { in: accountIds } } }),
      this.prices.load(accountId),
    ]);
    const byAccount = new Map<string, QuotaRule[]>(accountIds.map((id) => [id, []]));
    for (const rule of rules) byAccount.get(rule.accountId)!.push(rule);
    const limited = new Map(accounts.filter((a) => a.rpmLimit !== null || a.tpmLimit !== null).map((a) => [a.id, a]));
    const limits = accountIds.flatMap((id) => {
      const a = limited.get(id);
      return a ? [{ id: `account:${id}`, rpm: a.rpmLimit, tpm: a.tpmLimit }] : [];
    });
    return { accountIds, blocked: accounts.some((a) => a.status === 'SUSPENDED'), rules: byAccount, pricing, limits };
  }

  /** Whether the model has a catalog price (a model without one is never served). */
  static isPriced(chain: CallerChain, model: string): boolean {
    return chain.pricing.catalog.has(model);
  }

  /**
   * The amount every level is charged for `usage`, with the counters it is checked against now.
   * Members below the master pay their chain prices; the master's level records the upstream
   * cost: the catalog price times the channel's cost multiplier.
   */
  levels(chain: CallerChain, model: string, usage: Usage, costMultiplierBps: number, now = new Date()): LevelCharge[] {
    const prices = ChainPricesService.pricesOf(chain.pricing, model);
    const catalog = chain.pricing.catalog.get(model);
    if (!catalog || !prices) throw new NotFoundError('model_not_found', `The model "${model}" is not offered`);
    const tokens = usage.inputTokens + usage.outputTokens;
    const requests = usage.requests ?? 1n;
    return chain.accountIds.map((accountId, i) => {
      const credits = i < prices.length ? costOf(prices[i]!, usage) : divRoundHalfUp(costOf(catalog, usage) * BigInt(costMultiplierBps), 10_000n);
      return {
        accountId,
        credits,
        tokens,
        requests,
        counters: chain.rules.get(accountId)!.map((rule) => counterOf(rule, now)),
      };
    });
  }
}
