import { Injectable } from '@nestjs/common';
import { AccessService, AuditRepository, type RequestMeta } from '@tiergate/api-accounts';
import { type Actor, ConflictError, ForbiddenError, InvalidInputError, InvalidationBus, NotFoundError } from '@tiergate/api-core';
import { PrismaService, type RedemptionCode } from '@tiergate/api-db';
import type { GrantView, MintCodesDto, MintedCodes, Page, RedemptionCodeView } from '@tiergate/contracts';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { GrantsService, grantView } from '../grants/grants.service.js';

const sha256 = (v: string) => createHash('sha256').update(v).digest('hex');

function codeView(c: RedemptionCode): RedemptionCodeView {
  return {
    id: c.id,
    batchId: c.batchId,
    hint: c.hint,
    value: c.value.toString(),
    expiresAt: c.expiresAt?.toISOString() ?? null,
    redeemedBy: c.redeemedBy,
    redeemedAt: c.redeemedAt?.toISOString() ?? null,
    createdAt: c.createdAt.toISOString(),
  };
}

/** Codes a parent mints (stored hashed, shown once); a direct child redeems one exactly once. */
@Injectable()
export class RedemptionService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly access: AccessService,
    private readonly grants: GrantsService,
    private readonly audit: AuditRepository,
    private readonly bus: InvalidationBus,
  ) {}

  async mint(actor: Actor, issuerId: string, dto: MintCodesDto, meta: RequestMeta = {}): Promise<MintedCodes> {
    const { relation } = await this.access.requireAccess(actor, issuerId, 'read');
    if (relation !== 'self') throw new ForbiddenError('access_denied', 'Codes are minted by the account whose children redeem them');
    const value = BigInt(dto.value);
    if (value === 0n) throw new InvalidInputError('zero_value', 'value must be above 0');
    const expiresAt = dto.expiresAt ? new Date(dto.expiresAt) : null;
    if (expiresAt && expiresAt.getTime() <= Date.now()) throw new InvalidInputError('expired', 'expiresAt is in the past');
    const batchId = randomUUID();
    const codes = Array.from({ length: dto.count }, () => `tgc-${randomBytes(18).toString('base64url')}`);
    await this.prisma.$transaction(async (tx) => {
      await tx.redemptionCode.createMany({
        data: codes.map((code) => ({ issuerId, batchId, codeHash: sha256(code), hint: code.slice(0, 10), value, expiresAt })),
      });
      await this.audit.append(tx, {
        actorId: actor.accountId,
        action: 'codes.mint',
        targetId: issuerId,
        after: { batchId, count: dto.count, value: value.toString(), expiresAt: expiresAt?.toISOString() ?? null },
        ...meta,
      });
    });
    return { batchId, value: value.toString(), expiresAt: expiresAt?.toISOString() ?? null, codes };
  }

  async list(actor: Actor, issuerId: string, limit = 100, cursor?: string): Promise<Page<RedemptionCodeView>> {
    const { relation } = await this.access.requireAccess(actor, issuerId, 'read');
    if (relation !== 'self') throw new ForbiddenError('access_denied', 'Only the issuer lists its codes');
    if (cursor && !/^[0-9a-f-]{36}$/i.test(cursor)) throw new InvalidInputError('invalid_cursor', 'The cursor is not one this API returned');
    const rows = await this.prisma.redemptionCode.findMany({
      where: { issuerId },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      take: limit + 1,
      ...(cursor && { cursor: { id: cursor }, skip: 1 }),
    });
    const items = rows.slice(0, limit);
    return { items: items.map(codeView), nextCursor: rows.length > limit ? items.at(-1)!.id : null };
  }

  /**
   * The claim is one conditional UPDATE, so of many concurrent redemptions of one code exactly
   * one gets the row; the grant runs in the same transaction, so a refused grant unclaims it.
   */
  async redeem(actor: Actor, code: string, meta: RequestMeta = {}): Promise<GrantView> {
    const hash = sha256(code);
    const grant = await this.prisma.$transaction(async (tx) => {
      const claimed = await tx.$queryRaw<RedemptionCode[]>`
        UPDATE redemption_code SET redeemed_by = ${actor.accountId}::uuid, redeemed_at = now()
        WHERE code_hash = ${hash} AND redeemed_at IS NULL AND (expires_at IS NULL OR expires_at > now())
          AND issuer_id = (SELECT parent_id FROM account WHERE id = ${actor.accountId}::uuid)
        RETURNING id, issuer_id AS "issuerId", value`;
      const row = claimed[0];
      if (!row) {
        const known = await tx.redemptionCode.findUnique({ where: { codeHash: hash } });
        const parent = await tx.account.findUnique({ where: { id: actor.accountId }, select: { parentId: true } });
        if (!known || known.issuerId !== parent?.parentId) throw new NotFoundError('code_not_found', 'No such code for your account');
        if (known.redeemedAt) throw new ConflictError('code_used', 'This code was already redeemed');
        throw new ConflictError('code_expired', 'This code has expired');
      }
      const g = await this.grants.applyGrant(tx, {
        granterId: row.issuerId,
        childId: actor.accountId,
        delta: row.value,
        note: 'redemption code',
        codeId: row.id,
      });
      await this.audit.append(tx, { actorId: actor.accountId, action: 'codes.redeem', targetId: actor.accountId, after: grantView(g), ...meta });
      return g;
    });
    await this.bus.publish({ kind: 'rules', id: actor.accountId });
    return grantView(grant);
  }
}
