import { Injectable } from '@nestjs/common';
import { AccessService, TreeRepository } from '@tiergate/api-accounts';
import type { Actor } from '@tiergate/api-core';
import { PrismaService } from '@tiergate/api-db';
import type { EffectivePriceView } from '@tiergate/contracts';
import { type ModelPrice, type PriceListRule, priceForChild, pricesAlongChain } from '../chain-pricing.js';
import { priceView } from '../catalog/price.mapper.js';

/** Everything needed to price any model for one account's chain, loaded in three queries. */
export interface ChainPricing {
  /** Caller first, the top-most account below the master last. */
  chain: string[];
  catalog: Map<string, ModelPrice>;
  lists: Map<string, PriceListRule>;
}

const orUndefined = (v: bigint | null) => v ?? undefined;

@Injectable()
export class ChainPricesService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly tree: TreeRepository,
    private readonly access: AccessService,
  ) {}

  async load(accountId: string): Promise<ChainPricing> {
    const ancestors = await this.tree.ancestors(accountId);
    // The root (the master) sells at catalog prices, so it is not a member of the priced chain.
    const chain = ancestors.slice(0, -1).map((a) => a.id);
    const [catalogRows, listRows] = await Promise.all([
      this.prisma.modelPrice.findMany(),
      this.prisma.priceList.findMany({ where: { accountId: { in: chain } }, include: { overrides: true } }),
    ]);
    const catalog = new Map<string, ModelPrice>(
      catalogRows.map((r) => [
        r.model,
        { inputPer1M: r.inputPer1M, outputPer1M: r.outputPer1M, cachedInputPer1M: orUndefined(r.cachedInputPer1M), perRequest: orUndefined(r.perRequest), perImage: orUndefined(r.perImage) },
      ]),
    );
    const lists = new Map<string, PriceListRule>();
    for (const list of listRows) {
      const rule: PriceListRule = { markupBps: list.markupBps, overrides: {}, childOverrides: {} };
      for (const o of list.overrides) {
        const price: ModelPrice = { inputPer1M: o.inputPer1M, outputPer1M: o.outputPer1M, cachedInputPer1M: orUndefined(o.cachedInputPer1M), perRequest: orUndefined(o.perRequest), perImage: orUndefined(o.perImage) };
        if (o.scope === '*') rule.overrides![o.model] = price;
        else (rule.childOverrides![o.scope] ??= {})[o.model] = price;
      }
      lists.set(list.accountId, rule);
    }
    return { chain, catalog, lists };
  }

  /** Unit prices `model` costs each member of the chain, caller first. */
  static pricesOf(pricing: ChainPricing, model: string): ReturnType<typeof pricesAlongChain> | null {
    const catalog = pricing.catalog.get(model);
    if (!catalog || pricing.chain.length === 0) return null;
    return pricesAlongChain(model, catalog, pricing.chain, (id) => pricing.lists.get(id));
  }

  /** Per model: what the account pays, and what its price list charges a child (before per-child overrides). */
  async effectivePrices(actor: Actor, accountId: string): Promise<EffectivePriceView[]> {
    const { account } = await this.access.requireAccess(actor, accountId, 'read');
    const pricing = await this.load(account.id);
    const ownList = account.kind === 'USER' ? undefined : await this.loadOwnList(account.id);
    const views: EffectivePriceView[] = [];
    for (const [model, catalog] of [...pricing.catalog].sort(([a], [b]) => a.localeCompare(b))) {
      const pays = account.kind === 'MASTER' ? null : ChainPricesService.pricesOf(pricing, model)?.[0];
      const base = account.kind === 'MASTER' ? catalog : pays;
      views.push({
        model,
        pays: priceView(toColumns(pays ?? catalog)),
        ...(account.kind !== 'USER' && base && { charges: priceView(toColumns(account.kind === 'MASTER' ? catalog : priceForChild(base, ownList, '', model))) }),
      });
    }
    return views;
  }

  private async loadOwnList(accountId: string): Promise<PriceListRule | undefined> {
    const pricing = await this.prisma.priceList.findUnique({ where: { accountId }, include: { overrides: { where: { scope: '*' } } } });
    if (!pricing) return undefined;
    const overrides: Record<string, ModelPrice> = {};
    for (const o of pricing.overrides) overrides[o.model] = { inputPer1M: o.inputPer1M, outputPer1M: o.outputPer1M, cachedInputPer1M: orUndefined(o.cachedInputPer1M), perRequest: orUndefined(o.perRequest), perImage: orUndefined(o.perImage) };
    return { markupBps: pricing.markupBps, overrides };
  }
}

function toColumns(p: ModelPrice) {
  return {
    inputPer1M: p.inputPer1M,
    outputPer1M: p.outputPer1M,
    cachedInputPer1M: p.cachedInputPer1M ?? null,
    perRequest: p.perRequest ?? null,
    perImage: p.perImage ?? null,
  };
}
