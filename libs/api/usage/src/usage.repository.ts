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

export interface LogPosition {
  settledAt: Date;
  requestId: string;
}

export interface RequestLogFilter {
  from: Date;
  to: Date;
  model?: string;
  keyId?: string;
  status?: string;
  /** Rows strictly older than this (settledAt, requestId) position. */
  before?: LogPosition;
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

  /**
   * Newest first, at most `limit` rows; metadata only (the relay stores no text). The account's
   * charges are read in index order a chunk at a time and filtered against their records, so a
   * page costs a few index range reads whatever the subtree's size. A rare filter does not scan
   * the whole range in one call: after `maxScan` charges the page ends early and `resumeAt`
   * says where the next call goes on.
   */
  async requestLog(accountId: string, f: RequestLogFilter, chunk = 500, maxScan = 5_000): Promise<{ rows: RequestLogRow[]; resumeAt: LogPosition | null }> {
    const rows: RequestLogRow[] = [];
    let before = f.before;
    for (let scanned = 0; ; ) {
      const batch = await this.prisma.$queryRaw<(RequestLogRow & { matches: boolean })[]>`
        SELECT c.request_id, c.settled_at, r.account_id, r.api_key_id, r.model, r.status,
               r.input_tokens, r.cached_tokens, r.output_tokens, c.credits,
               (${f.model ?? null}::text IS NULL OR r.model = ${f.model ?? null})
                 AND (${f.keyId ?? null}::uuid IS NULL OR r.api_key_id = ${f.keyId ?? null}::uuid)
                 AND (${f.status ?? null}::text IS NULL OR r.status = ${f.status ?? null}) AS matches
        FROM (
          SELECT c.request_id, c.settled_at, c.credits
          FROM usage_charge c
          WHERE c.account_id = ${accountId}::uuid AND c.settled_at >= ${f.from} AND c.settled_at < ${f.to}
            ${before ? Prisma.sql`AND (c.settled_at, c.request_id) < (${before.settledAt}, ${before.requestId})` : Prisma.empty}
          ORDER BY c.settled_at DESC, c.request_id DESC
          LIMIT ${chunk}
        ) c
        JOIN usage_record r ON r.request_id = c.request_id
        ORDER BY c.settled_at DESC, c.request_id DESC`;
      for (const row of batch) {
        if (!row.matches) continue;
        const { matches: _, ...rest } = row;
        rows.push(rest);
        if (rows.length === f.limit) return { rows, resumeAt: null };
      }
      scanned += batch.length;
      if (batch.length < chunk) return { rows, resumeAt: null };
      const last = batch[batch.length - 1]!;
      before = { settledAt: last.settled_at, requestId: last.request_id };
      if (scanned >= maxScan) return { rows, resumeAt: before };
    }
  }
}
