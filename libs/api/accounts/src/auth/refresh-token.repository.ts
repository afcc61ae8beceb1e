import { Injectable } from '@nestjs/common';
import { PrismaService, type RefreshToken } from '@tiergate/api-db';

@Injectable()
export class RefreshTokenRepository {
  constructor(private readonly prisma: PrismaService) {}

  async insert(data: { accountId: string; familyId: string; tokenHash: string; audience: string; expiresAt: Date }): Promise<void> {
    await this.prisma.refreshToken.create({ data });
  }

  /**
   * Marks a live token as used, atomically: of two concurrent refreshes with one token,
   * exactly one gets the row back; the other sees a rotated token (reuse).
   */
  async consume(tokenHash: string): Promise<RefreshToken | null> {
    const rows = await this.prisma.$queryRaw<RefreshToken[]>`
      UPDATE refresh_token SET rotated_at = now()
      WHERE token_hash = ${tokenHash} AND rotated_at IS NULL AND revoked_at IS NULL AND expires_at > now()
      RETURNING id, account_id AS "accountId", family_id AS "familyId", token_hash AS "tokenHash", audience,
                expires_at AS "expiresAt", rotated_at AS "rotatedAt", revoked_at AS "revokedAt", created_at AS "createdAt"`;
    return rows[0] ?? null;
  }

  async findByHash(tokenHash: string): Promise<RefreshToken | null> {
    return this.prisma.refreshToken.findUnique({ where: { tokenHash } });
  }

  async revokeFamily(familyId: string): Promise<number> {
    const { count } = await this.prisma.refreshToken.updateMany({
      where: { familyId, revokedAt: null },
      data: { revokedAt: new Date() },
    });
    return count;
  }

  async revokeAllOf(accountId: string): Promise<number> {
    const { count } = await this.prisma.refreshToken.updateMany({
      where: { accountId, revokedAt: null },
      data: { revokedAt: new Date() },
    });
    return count;
  }
}
