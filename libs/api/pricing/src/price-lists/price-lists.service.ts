import { Injectable } from '@nestjs/common';
import { AccessService, AuditRepository, type RequestMeta } from '@tiergate/api-accounts';
import { type Actor, ForbiddenError, InvalidInputError, InvalidationBus } from '@tiergate/api-core';
import { PrismaService, type PriceOverride } from '@tiergate/api-db';
import type { ModelPriceView, PriceListDto, PriceListView } from '@tiergate/contracts';
import { validateSync } from 'class-validator';
import { plainToInstance } from 'class-transformer';
import { ModelPriceDto } from '@tiergate/contracts';
import { MODEL_NAME, priceColumnsOf, priceView } from '../catalog/price.mapper.js';

const ALL_CHILDREN = '*';

function listView(accountId: string, markupBps: number, overrides: PriceOverride[]): PriceListView {
  const view: PriceListView = { accountId, markupBps, overrides: {}, childOverrides: {} };
  for (const o of overrides) {
    if (o.scope === ALL_CHILDREN) view.overrides[o.model] = priceView(o);
    else (view.childOverrides[o.scope] ??= {} as Record<string, ModelPriceView>)[o.model] = priceView(o);
  }
  return view;
}

/**
 * Maps of model → price are not walked by the global pipe (class-transformer cannot type a
 * record's values), so each price is validated here with the same DTO rules.
 */
function priceRows(scope: string, prices: unknown, path: string): Omit<PriceOverride, 'accountId'>[] {
  if (prices === undefined) return [];
  if (typeof prices !== 'object' || prices === null || Array.isArray(prices)) throw new InvalidInputError('invalid_request', `${path} must be an object of model → price`);
  return Object.entries(prices).map(([model, raw]) => {
    if (!MODEL_NAME.test(model)) throw new InvalidInputError('invalid_model', `"${model}" is not a valid model name`);
    const price = plainToInstance(ModelPriceDto, raw as object);
    const errors = typeof raw === 'object' && raw !== null ? validateSync(price, { whitelist: true, forbidNonWhitelisted: true }) : [];
    if (typeof raw !== 'object' || raw === null || errors.length > 0) {
      const detail = errors.flatMap((e) => Object.values(e.constraints ?? {})).join('; ') || 'must be a price object';
      throw new InvalidInputError('invalid_request', `${path}.${model}: ${detail}`);
    }
    return { scope, model, ...priceColumnsOf(price) };
  });
}

/** The list an agent or tenant applies to its children (DESIGN §3). */
@Injectable()
export class PriceListsService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly access: AccessService,
    private readonly audit: AuditRepository,
    private readonly bus: InvalidationBus,
  ) {}

  /** Readable by the account itself and its ancestors; never by its children. */
  async get(actor: Actor, accountId: string): Promise<PriceListView> {
    const { account } = await this.access.requireAccess(actor, accountId, 'read');
    const list = await this.prisma.priceList.findUnique({ where: { accountId: account.id }, include: { overrides: true } });
    return listView(account.id, list?.markupBps ?? 10_000, list?.overrides ?? []);
  }

  async put(actor: Actor, accountId: string, dto: PriceListDto, meta: RequestMeta = {}): Promise<PriceListView> {
    const { account, relation } = await this.access.requireAccess(actor, accountId, 'read');
    if (relation !== 'self') throw new ForbiddenError('access_denied', 'An account sets the price list it applies to its own children');
    if (account.kind === 'MASTER') throw new InvalidInputError('use_catalog', "The master's prices are the model catalog");
    if (account.kind === 'USER') throw new InvalidInputError('no_children', 'A user has no children to price for');

    const rows: Omit<PriceOverride, 'accountId'>[] = priceRows(ALL_CHILDREN, dto.overrides, 'overrides');
    const childIds = Object.keys(dto.childOverrides ?? {});
    if (childIds.length > 0) {
      const children = await this.prisma.account.findMany({ where: { id: { in: childIds.filter((id) => /^[0-9a-f-]{36}$/i.test(id)) }, parentId: account.id }, select: { id: true } });
      const known = new Set(children.map((c) => c.id));
      const stranger = childIds.find((id) => !known.has(id));
      if (stranger) throw new InvalidInputError('not_a_child', `${stranger} is not a direct child of this account`);
    }
    for (const [childId, models] of Object.entries(dto.childOverrides ?? {})) rows.push(...priceRows(childId, models, `childOverrides.${childId}`));

    const saved = await this.prisma.$transaction(async (tx) => {
      const before = await tx.priceList.findUnique({ where: { accountId: account.id }, include: { overrides: true } });
      await tx.priceList.upsert({ where: { accountId: account.id }, create: { accountId: account.id, markupBps: dto.markupBps }, update: { markupBps: dto.markupBps } });
      await tx.priceOverride.deleteMany({ where: { accountId: account.id } });
      await tx.priceOverride.createMany({ data: rows.map((r) => ({ ...r, accountId: account.id })) });
      const after = listView(account.id, dto.markupBps, rows.map((r) => ({ ...r, accountId: account.id })));
      await this.audit.append(tx, {
        actorId: actor.accountId,
        action: 'price-list.put',
        targetId: account.id,
        before: before ? listView(account.id, before.markupBps, before.overrides) : undefined,
        after,
        ...meta,
      });
      return after;
    });
    await this.bus.publish({ kind: 'prices', id: account.id });
    return saved;
  }
}
