import { Injectable } from '@nestjs/common';
import { AccessService } from '@tiergate/api-accounts';
import { type Actor, InvalidInputError } from '@tiergate/api-core';
import type { Page, RequestLogEntryView, RequestLogQueryDto, UsageQueryDto, UsageReportView, UsageRowView } from '@tiergate/contracts';
import { csvLine, microToCredits } from './csv.js';
import { dayRange, instantRange, isoDay } from './usage-range.js';
import { type LogPosition, type RequestLogRow, type UsageSums, UsageReportsRepository } from './usage.repository.js';

const EXPORT_MAX_ROWS = 100_000;

function row(s: Omit<UsageSums, 'key' | 'name'>): Omit<UsageRowView, 'key' | 'name'> {
  return {
    requests: s.requests.toString(),
    tokens: s.tokens.toString(),
    charged: s.credits.toString(),
    revenue: s.childCredits.toString(),
    margin: (s.childCredits - s.credits).toString(),
  };
}

function encodeCursor(p: LogPosition): string {
  return Buffer.from(`${p.settledAt.toISOString()}|${p.requestId}`).toString('base64url');
}

function decodeCursor(cursor: string): { settledAt: Date; requestId: string } {
  const [at, requestId] = Buffer.from(cursor, 'base64url').toString().split('|');
  const settledAt = new Date(at ?? '');
  if (!requestId || Number.isNaN(settledAt.getTime())) throw new InvalidInputError('invalid_cursor', 'cursor is not one this endpoint returned');
  return { settledAt, requestId };
}

function entry(r: RequestLogRow): RequestLogEntryView {
  return {
    requestId: r.request_id,
    settledAt: r.settled_at.toISOString(),
    accountId: r.account_id,
    apiKeyId: r.api_key_id,
    model: r.model,
    status: r.status,
    inputTokens: r.input_tokens.toString(),
    cachedTokens: r.cached_tokens.toString(),
    outputTokens: r.output_tokens.toString(),
    charged: r.credits.toString(),
  };
}

/**
 * Usage of an account's subtree as that account sees it: what it was charged (its cost), what
 * its children were charged for the same requests (its revenue), the margin in between.
 */
@Injectable()
export class UsageReportsService {
  constructor(
    private readonly access: AccessService,
    private readonly reports: UsageReportsRepository,
  ) {}

  async usage(actor: Actor, accountId: string, q: UsageQueryDto): Promise<UsageReportView> {
    const { account } = await this.access.requireAccess(actor, accountId, 'read');
    const groupBy = q.groupBy ?? 'day';
    const { fromDay, toDay } = dayRange(q.from, q.to);
    const sums = await this.reports.sums(account.id, fromDay, toDay, groupBy);
    const total = sums.reduce(
      (t, s) => ({ requests: t.requests + s.requests, tokens: t.tokens + s.tokens, credits: t.credits + s.credits, childCredits: t.childCredits + s.childCredits }),
      { requests: 0n, tokens: 0n, credits: 0n, childCredits: 0n },
    );
    return {
      accountId: account.id,
      from: isoDay(fromDay),
      to: isoDay(toDay),
      groupBy,
      rows: sums.map((s) => ({ key: s.key, ...(groupBy === 'child' && { name: s.key === account.id ? account.name : (s.name ?? s.key) }), ...row(s) })),
      total: row(total),
    };
  }

  async usageCsv(actor: Actor, accountId: string, q: UsageQueryDto): Promise<string> {
    const report = await this.usage(actor, accountId, q);
    const head = csvLine([report.groupBy, ...(report.groupBy === 'child' ? ['name'] : []), 'requests', 'tokens', 'charged_credits', 'revenue_credits', 'margin_credits']);
    return (
      head +
      report.rows
        .map((r) =>
          csvLine([r.key, ...(report.groupBy === 'child' ? [r.name] : []), r.requests, r.tokens, microToCredits(BigInt(r.charged)), microToCredits(BigInt(r.revenue)), microToCredits(BigInt(r.margin))]),
        )
        .join('')
    );
  }

  async requests(actor: Actor, accountId: string, q: RequestLogQueryDto): Promise<Page<RequestLogEntryView>> {
    const { account } = await this.access.requireAccess(actor, accountId, 'read');
    const { from, to } = instantRange(q.from, q.to);
    const limit = q.limit ?? 50;
    const { rows, resumeAt } = await this.reports.requestLog(account.id, {
      from,
      to,
      model: q.model,
      keyId: q.keyId,
      status: q.status,
      before: q.cursor ? decodeCursor(q.cursor) : undefined,
      limit: limit + 1,
    });
    const items = rows.slice(0, limit);
    // A full page continues after its last item; a page cut short by a rare filter after its scan.
    const next = rows.length > limit ? { settledAt: items[items.length - 1]!.settled_at, requestId: items[items.length - 1]!.request_id } : resumeAt;
    return { items: items.map(entry), nextCursor: next ? encodeCursor(next) : null };
  }

  async requestsCsv(actor: Actor, accountId: string, q: RequestLogQueryDto): Promise<string> {
    const { account } = await this.access.requireAccess(actor, accountId, 'read');
    const { from, to } = instantRange(q.from, q.to);
    let out = csvLine(['request_id', 'settled_at', 'account_id', 'api_key_id', 'model', 'status', 'input_tokens', 'cached_tokens', 'output_tokens', 'charged_credits']);
    let before: LogPosition | undefined;
    for (let written = 0; written < EXPORT_MAX_ROWS; ) {
      const limit = Math.min(5000, EXPORT_MAX_ROWS - written);
      const { rows, resumeAt } = await this.reports.requestLog(account.id, { from, to, model: q.model, keyId: q.keyId, status: q.status, before, limit }, 5000, 1_000_000);
      for (const r of rows) {
        out += csvLine([r.request_id, r.settled_at.toISOString(), r.account_id, r.api_key_id, r.model, r.status, r.input_tokens, r.cached_tokens, r.output_tokens, microToCredits(r.credits)]);
      }
      written += rows.length;
      const last = rows[rows.length - 1];
      if (rows.length === limit && last) before = { settledAt: last.settled_at, requestId: last.request_id };
      else if (resumeAt) before = resumeAt;
      else break;
    }
    return out;
  }
}
