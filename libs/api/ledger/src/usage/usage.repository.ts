import { Injectable } from '@nestjs/common';
import { PrismaService } from '@tiergate/api-db';
import type { UsageEvent } from '../ledger.types.js';
import { insertUsageBatch } from './usage-batch.js';

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

  /** See insertUsageBatch: one statement per batch, on the pool Prisma runs on. */
  insertBatch(events: UsageEvent[]): Promise<void> {
    return insertUsageBatch(this.prisma.pool, events);
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

