import { Injectable } from '@nestjs/common';
import { Prisma, PrismaService } from '@tiergate/api-db';
import type { UsageGroup } from '@tiergate/contracts';

export interface UsageSums {
  key: string;
  name: string | null;
  requests: bigint;
  tokens: bigint;
  credits: bigint;
  childCredits: bigint;
}

export interface RequestLogFilter {
  from: Date;
  to: Date;
  model?: string;
  keyId?: string;
  status?: string;
  /** Rows strictly older than this (settledAt, requestId) position. */
  before?: { settledAt: Date; requestId: string };
  limit: number;
}

export interface RequestLogRow {
  request_id: string;
  settled_at: Date;
  account_id: string;
  api_key_id: string | null;
  model: string;
  status: string;
  input_tokens: bigint;
  cached_tokens: bigint;
  output_tokens: bigint;
  credits: bigint;
}

/**
 * Reports read one account's own rows only: every request in a subtree charges every ancestor,
 * so an account's usage_daily / usage_charge rows are exactly its subtree's usage, and the scope
 * (the account id) is the first argument of every query here.
 */
@Injectable()
export class UsageReportsRepository {
  constructor(private readonly prisma: PrismaService) {}

  async sums(accountId: string, fromDay: Date, toDay: Date, groupBy: UsageGroup): Promise<UsageSums[]> {
    const key = groupBy === 'day' ? Prisma.sql`d.day` : groupBy === 'model' ? Prisma.sql`d.model` : Prisma.sql`d.via_id`;
    // Aggregate first, then name the (at most a few thousand) children.
    const rows = await this.prisma.$queryRaw<{ key: string; name: string | null; requests: bigint; tokens: bigint; credits: bigint; child_credits: bigint }[]>`
      SELECT ${groupBy === 'day' ? Prisma.sql`to_char(s.k, 'YYYY-MM-DD')` : Prisma.sql`s.k::text`} AS key,
             ${groupBy === 'child' ? Prisma.sql`a.name` : Prisma.sql`NULL::text`} AS name,
             s.requests, s.tokens, s.credits, s.child_credits
      FROM (
        SELECT ${key} AS k, SUM(d.requests)::bigint AS requests, SUM(d.tokens)::bigint AS tokens,
               SUM(d.credits)::bigint AS credits, SUM(d.child_credits)::bigint AS child_credits
        FROM usage_daily d
        WHERE d.account_id = ${accountId}::uuid AND d.day >= ${fromDay}::date AND d.day < ${toDay}::date
        GROUP BY 1
      ) s
      ${groupBy === 'child' ? Prisma.sql`LEFT JOIN account a ON a.id = s.k` : Prisma.empty}
      ORDER BY ${groupBy === 'day' ? Prisma.sql`s.k` : Prisma.sql`s.credits DESC, 1`}`;
    return rows.map((r) => ({ key: r.key, name: r.name, requests: r.requests, tokens: r.tokens, credits: r.credits, childCredits: r.child_credits }));
  }

  /** Newest first; `limit` rows at most. Metadata only: the relay stores no text. */
  async requestLog(accountId: string, f: RequestLogFilter): Promise<RequestLogRow[]> {
    const where = [
      Prisma.sql`c.account_id = ${accountId}::uuid`,
      Prisma.sql`c.settled_at >= ${f.from}`,
      Prisma.sql`c.settled_at < ${f.to}`,
      ...(f.model ? [Prisma.sql`r.model = ${f.model}`] : []),
      ...(f.keyId ? [Prisma.sql`r.api_key_id = ${f.keyId}::uuid`] : []),
      ...(f.status ? [Prisma.sql`r.status = ${f.status}`] : []),
      ...(f.before ? [Prisma.sql`(c.settled_at, c.request_id) < (${f.before.settledAt}, ${f.before.requestId})`] : []),
    ];
    return this.prisma.$queryRaw<RequestLogRow[]>`
      SELECT r.request_id, c.settled_at, r.account_id, r.api_key_id, r.model, r.status,
             r.input_tokens, r.cached_tokens, r.output_tokens, c.credits
      FROM usage_charge c
      JOIN usage_record r ON r.request_id = c.request_id
      WHERE ${Prisma.join(where, ' AND ')}
      ORDER BY c.settled_at DESC, c.request_id DESC
      LIMIT ${f.limit}`;
  }
}
