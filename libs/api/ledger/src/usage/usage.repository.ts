import { Injectable } from '@nestjs/common';
import { PrismaService } from '@tiergate/api-db';
import type { UsageEvent } from '../ledger.types.js';

export interface WindowSum {
  accountId: string;
  credits: bigint;
  tokens: bigint;
  requests: bigint;
}

/** Usage rows: written by the persister, read by rebuilds and reports. */
@Injectable()
export class UsageRepository {
  constructor(private readonly prisma: PrismaService) {}

  /**
   * One transaction per batch; a replayed event hits the unique request id and is skipped. The
   * requests new to this batch are folded into the daily rollup in the same transaction, so the
   * rollup never counts a request twice nor misses one.
   */
  async insertBatch(events: UsageEvent[]): Promise<void> {
    if (events.length === 0) return;
    await this.prisma.$transaction(async (tx) => {
      const inserted = await tx.usageRecord.createManyAndReturn({
        select: { requestId: true },
        data: events.map((e) => ({
          requestId: e.requestId,
          accountId: e.meta.accountId,
          apiKeyId: e.meta.apiKeyId ?? null,
          channelId: e.meta.channelId ?? null,
          model: e.meta.model,
          inputTokens: e.inputTokens,
          cachedTokens: e.cachedTokens,
          outputTokens: e.outputTokens,
          status: e.status,
          settledAt: new Date(e.settledAt),
        })),
        skipDuplicates: true,
      });
      await tx.usageCharge.createMany({
        data: events.flatMap((e) =>
          e.levels.map((level, depth) => ({
            requestId: e.requestId,
            accountId: level.accountId,
            depth,
            credits: level.credits,
            tokens: level.tokens,
            requests: level.requests,
            settledAt: new Date(e.settledAt),
          })),
        ),
        skipDuplicates: true,
      });
      const fresh = inserted.map((r) => r.requestId);
      if (fresh.length === 0) return;
      // Per level: the day, the model, the account below it on the chain (itself at depth 0) and
      // what that account was charged (the level's revenue).
      await tx.$executeRaw`
        INSERT INTO usage_daily (account_id, day, model, via_id, requests, tokens, credits, child_credits)
        SELECT c.account_id, (c.settled_at AT TIME ZONE 'UTC')::date, r.model, COALESCE(b.account_id, c.account_id),
               SUM(c.requests), SUM(c.tokens), SUM(c.credits), COALESCE(SUM(b.credits), 0)
        FROM usage_charge c
        JOIN usage_record r ON r.request_id = c.request_id
        LEFT JOIN usage_charge b ON b.request_id = c.request_id AND b.depth = c.depth - 1
        WHERE c.request_id = ANY(${fresh}::varchar[])
        GROUP BY 1, 2, 3, 4
        ON CONFLICT (account_id, day, model, via_id) DO UPDATE SET
          requests = usage_daily.requests + EXCLUDED.requests,
          tokens = usage_daily.tokens + EXCLUDED.tokens,
          credits = usage_daily.credits + EXCLUDED.credits,
          child_credits = usage_daily.child_credits + EXCLUDED.child_credits`;
    });
  }

  /** What each account was charged since `from` (null = ever): the basis of a rebuilt counter. */
  async sumsSince(accountIds: string[], from: Date | null): Promise<Map<string, WindowSum>> {
    if (accountIds.length === 0) return new Map();
    const rows = await this.prisma.usageCharge.groupBy({
      by: ['accountId'],
      where: { accountId: { in: accountIds }, ...(from && { settledAt: { gte: from } }) },
      _sum: { credits: true, tokens: true, requests: true },
    });
    return new Map(
      rows.map((r) => [
        r.accountId,
        { accountId: r.accountId, credits: r._sum.credits ?? 0n, tokens: r._sum.tokens ?? 0n, requests: r._sum.requests ?? 0n },
      ]),
    );
  }

  /** What requests made with each key were charged at its owner's level since `from`: the basis of a key rule's counter. */
  async keySumsSince(apiKeyIds: string[], from: Date | null): Promise<Map<string, WindowSum>> {
    if (apiKeyIds.length === 0) return new Map();
    const rows = await this.prisma.$queryRaw<{ api_key_id: string; credits: bigint | null; tokens: bigint | null; requests: bigint | null }[]>`
      SELECT r.api_key_id::text AS api_key_id, sum(c.credits)::bigint AS credits, sum(c.tokens)::bigint AS tokens, sum(c.requests)::bigint AS requests
      FROM usage_record r JOIN usage_charge c ON c.request_id = r.request_id AND c.account_id = r.account_id
      WHERE r.api_key_id = ANY(${apiKeyIds}::uuid[]) AND (${from}::timestamptz IS NULL OR c.settled_at >= ${from}::timestamptz)
      GROUP BY r.api_key_id`;
    return new Map(rows.map((r) => [r.api_key_id, { accountId: r.api_key_id, credits: r.credits ?? 0n, tokens: r.tokens ?? 0n, requests: r.requests ?? 0n }]));
  }
}
