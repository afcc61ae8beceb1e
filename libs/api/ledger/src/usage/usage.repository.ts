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
   * One statement per batch (atomic without a transaction); a replayed event hits the unique
   * request id and is skipped. Column arrays through unnest: Prisma's createMany compiled every
   * row on the event loop (about 2 ms of CPU per event with its charges), which stalled the relay.
   * The charges new to this batch (what the inserts return) are folded into the daily rollup in
   * the same statement, so the rollup never counts a request twice nor misses one.
   */
  async insertBatch(events: UsageEvent[]): Promise<void> {
    if (events.length === 0) return;
    const settledAt = events.map((e) => new Date(e.settledAt).toISOString());
    const charges = events.flatMap((e, i) => e.levels.map((level, depth) => ({ requestId: e.requestId, level, depth, settledAt: settledAt[i]! })));
    // Per level of the rollup: the day, the model, the account below it on the chain (itself at
    // depth 0) and what that account was charged (the level's revenue).
    await this.prisma.$executeRaw`
      WITH records AS (
        INSERT INTO usage_record (request_id, account_id, api_key_id, channel_id, model, input_tokens, cached_tokens, output_tokens, status, settled_at)
        SELECT * FROM unnest(
          ${events.map((e) => e.requestId)}::varchar[], ${events.map((e) => e.meta.accountId)}::uuid[],
          ${events.map((e) => e.meta.apiKeyId ?? null)}::uuid[], ${events.map((e) => e.meta.channelId ?? null)}::uuid[],
          ${events.map((e) => e.meta.model)}::varchar[], ${events.map((e) => e.inputTokens.toString())}::bigint[],
          ${events.map((e) => e.cachedTokens.toString())}::bigint[], ${events.map((e) => e.outputTokens.toString())}::bigint[],
          ${events.map((e) => e.status)}::varchar[], ${settledAt}::timestamptz[])
        ON CONFLICT DO NOTHING
        RETURNING request_id, model
      ), fresh AS (
        INSERT INTO usage_charge (request_id, account_id, depth, credits, tokens, requests, settled_at)
        SELECT * FROM unnest(
          ${charges.map((c) => c.requestId)}::varchar[], ${charges.map((c) => c.level.accountId)}::uuid[], ${charges.map((c) => c.depth)}::int[],
          ${charges.map((c) => c.level.credits.toString())}::bigint[], ${charges.map((c) => c.level.tokens.toString())}::bigint[],
          ${charges.map((c) => c.level.requests.toString())}::bigint[], ${charges.map((c) => c.settledAt)}::timestamptz[])
        ON CONFLICT DO NOTHING
        RETURNING request_id, account_id, depth, credits, tokens, requests, settled_at
      )
      INSERT INTO usage_daily (account_id, day, model, via_id, requests, tokens, credits, child_credits)
      SELECT c.account_id, (c.settled_at AT TIME ZONE 'UTC')::date, r.model, COALESCE(b.account_id, c.account_id),
             SUM(c.requests), SUM(c.tokens), SUM(c.credits), COALESCE(SUM(b.credits), 0)
      FROM fresh c
      JOIN records r ON r.request_id = c.request_id
      LEFT JOIN fresh b ON b.request_id = c.request_id AND b.depth = c.depth - 1
      GROUP BY 1, 2, 3, 4
      ON CONFLICT (account_id, day, model, via_id) DO UPDATE SET
        requests = usage_daily.requests + EXCLUDED.requests,
        tokens = usage_daily.tokens + EXCLUDED.tokens,
        credits = usage_daily.credits + EXCLUDED.credits,
        child_credits = usage_daily.child_credits + EXCLUDED.child_credits`;
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
