import { Injectable } from '@nestjs/common';
import { AccessService, AuditRepository, type RequestMeta } from '@tiergate/api-accounts';
import { type Actor, InvalidInputError, InvalidationBus } from '@tiergate/api-core';
import { PrismaService } from '@tiergate/api-db';
import type { RateLimitsDto, RateLimitsView } from '@tiergate/contracts';

/** RPM/TPM of an account's subtree: set by its parent (like every limit), read by it and above. */
@Injectable()
export class RateLimitsService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly access: AccessService,
    private readonly audit: AuditRepository,
    private readonly bus: InvalidationBus,
  ) {}

  async get(actor: Actor, accountId: string): Promise<RateLimitsView> {
    const { account } = await this.access.requireAccess(actor, accountId, 'read');
    const row = await this.prisma.account.findUniqueOrThrow({ where: { id: account.id }, select: { rpmLimit: true, tpmLimit: true } });
    return { accountId: account.id, ...row };
  }

  async set(actor: Actor, accountId: string, dto: RateLimitsDto, meta: RequestMeta = {}): Promise<RateLimitsView> {
    if (dto.rpmLimit === undefined && dto.tpmLimit === undefined) throw new InvalidInputError('empty_update', 'Send rpmLimit, tpmLimit or both (null lifts a limit)');
    const { account } = await this.access.requireAccess(actor, accountId, 'manage');
    const after = await this.prisma.$transaction(async (tx) => {
      const before = await tx.account.findUniqueOrThrow({ where: { id: account.id }, select: { rpmLimit: true, tpmLimit: true } });
      const changed = await tx.account.update({
        where: { id: account.id },
        data: { ...(dto.rpmLimit !== undefined && { rpmLimit: dto.rpmLimit }), ...(dto.tpmLimit !== undefined && { tpmLimit: dto.tpmLimit }) },
        select: { rpmLimit: true, tpmLimit: true },
      });
      await this.audit.append(tx, { actorId: actor.accountId, action: 'settings.rate-limits', targetId: account.id, before, after: changed, ...meta });
      return changed;
    });
    // The relay's cached chains carry the limits: drop them everywhere.
    await this.bus.publish({ kind: 'account', id: account.id });
    return { accountId: account.id, ...after };
  }
}
