import { Injectable } from '@nestjs/common';
import { AuditRepository, type RequestMeta } from '@tiergate/api-accounts';
import { type Actor, InvalidInputError, InvalidationBus, NotFoundError } from '@tiergate/api-core';
import { PrismaService } from '@tiergate/api-db';
import type { CatalogEntryView, ModelPriceDto } from '@tiergate/contracts';
import { MODEL_NAME, priceColumnsOf, priceView } from './price.mapper.js';

/** The master's model catalog: what its direct children pay. Master-only, guarded at the route. */
@Injectable()
export class CatalogService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly audit: AuditRepository,
    private readonly bus: InvalidationBus,
  ) {}

  async list(): Promise<CatalogEntryView[]> {
    const rows = await this.prisma.modelPrice.findMany({ orderBy: { model: 'asc' } });
    return rows.map((r) => ({ model: r.model, ...priceView(r), updatedAt: r.updatedAt.toISOString() }));
  }

  async put(actor: Actor, model: string, dto: ModelPriceDto, meta: RequestMeta = {}): Promise<CatalogEntryView> {
    if (!MODEL_NAME.test(model)) throw new InvalidInputError('invalid_model', `"${model}" is not a valid model name`);
    const columns = priceColumnsOf(dto);
    const row = await this.prisma.$transaction(async (tx) => {
      const before = await tx.modelPrice.findUnique({ where: { model } });
      const saved = await tx.modelPrice.upsert({ where: { model }, create: { model, ...columns }, update: columns });
      await this.audit.append(tx, {
        actorId: actor.accountId,
        action: 'catalog.put',
        targetId: null,
        before: before ? { model, ...priceView(before) } : undefined,
        after: { model, ...priceView(saved) },
        ...meta,
      });
      return saved;
    });
    await this.bus.publish({ kind: 'catalog' });
    return { model: row.model, ...priceView(row), updatedAt: row.updatedAt.toISOString() };
  }

  async remove(actor: Actor, model: string, meta: RequestMeta = {}): Promise<void> {
    await this.prisma.$transaction(async (tx) => {
      const before = await tx.modelPrice.findUnique({ where: { model } });
      if (!before) throw new NotFoundError('model_not_found', `No model "${model}" in the catalog`);
      await tx.modelPrice.delete({ where: { model } });
      await this.audit.append(tx, { actorId: actor.accountId, action: 'catalog.delete', targetId: null, before: { model, ...priceView(before) }, ...meta });
    });
    await this.bus.publish({ kind: 'catalog' });
  }
}
