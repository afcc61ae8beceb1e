import { Injectable } from '@nestjs/common';
import type { Prisma, Tx } from '@tiergate/api-db';

export interface AuditEntry {
  actorId: string | null;
  action: string;
  targetId: string | null;
  before?: object;
  after?: object;
  requestId?: string;
  ip?: string;
}

/** Append-only: the table refuses UPDATE and DELETE. Written in the same transaction as the change. */
@Injectable()
export class AuditRepository {
  async append(tx: Tx, entry: AuditEntry): Promise<void> {
    const { before, after, ...rest } = entry;
    await tx.auditLog.create({
      data: { ...rest, before: before as Prisma.InputJsonValue | undefined, after: after as Prisma.InputJsonValue | undefined },
    });
  }

  /** The installation's log, newest first (the master's view); ids below `beforeId` only. */
  async page(db: Tx, filter: { action?: string; actorId?: string; targetId?: string; beforeId?: bigint; limit: number }) {
    return db.auditLog.findMany({
      where: {
        ...(filter.action && { action: filter.action }),
        ...(filter.actorId && { actorId: filter.actorId }),
        ...(filter.targetId && { targetId: filter.targetId }),
        ...(filter.beforeId !== undefined && { id: { lt: filter.beforeId } }),
      },
      orderBy: { id: 'desc' },
      take: filter.limit,
    });
  }

  async listForTarget(tx: Tx, targetId: string, limit = 100) {
    return tx.auditLog.findMany({ where: { targetId }, orderBy: { id: 'desc' }, take: limit });
  }
}
