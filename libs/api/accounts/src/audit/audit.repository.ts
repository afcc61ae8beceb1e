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

  async listForTarget(tx: Tx, targetId: string, limit = 100) {
    return tx.auditLog.findMany({ where: { targetId }, orderBy: { id: 'desc' }, take: limit });
  }
}
