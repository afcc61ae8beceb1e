import { Controller, Get, Query } from '@nestjs/common';
import { Roles } from '@tiergate/api-core';
import { PrismaService } from '@tiergate/api-db';
import { type AuditEntryView, AuditQueryDto, type Page } from '@tiergate/contracts';
import { AuditRepository } from './audit.repository.js';

/** Every management write of the installation, for the master's console. */
@Controller('api/v1/audit')
export class AuditController {
  constructor(
    private readonly prisma: PrismaService,
    private readonly audit: AuditRepository,
  ) {}

  @Get()
  @Roles('master')
  async list(@Query() q: AuditQueryDto): Promise<Page<AuditEntryView>> {
    const limit = q.limit ?? 50;
    const rows = await this.audit.page(this.prisma, { action: q.action, actorId: q.actorId, targetId: q.targetId, beforeId: q.cursor ? BigInt(q.cursor) : undefined, limit: limit + 1 });
    const items = rows.slice(0, limit).map((r) => ({
      id: r.id.toString(),
      actorId: r.actorId,
      action: r.action,
      targetId: r.targetId,
      before: r.before,
      after: r.after,
      requestId: r.requestId,
      ip: r.ip,
      createdAt: r.createdAt.toISOString(),
    }));
    return { items, nextCursor: rows.length > limit ? items[items.length - 1]!.id : null };
  }
}
