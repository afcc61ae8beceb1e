import { IsIn, IsISO8601, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import { PageQueryDto } from '../common/pagination.js';
import type { MicroCredits } from '../common/money.js';

export const USAGE_GROUPS = ['day', 'model', 'child'] as const;
export type UsageGroup = (typeof USAGE_GROUPS)[number];

/** `from` and `to` are days (UTC) or instants; `to` is exclusive. Defaults: the last 30 days. */
export class UsageQueryDto {
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'from must be an ISO 8601 date, e.g. 2026-01-31' })
  from?: string;

  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'to must be an ISO 8601 date, e.g. 2026-02-01' })
  to?: string;

  @IsOptional()
  @IsIn(USAGE_GROUPS, { message: 'groupBy must be one of day, model, child' })
  groupBy?: UsageGroup;
}

/** One row of a usage report: the amounts of one day, model or direct child. */
export interface UsageRowView {
  /** The day (YYYY-MM-DD), the model, or the child's id (the account itself for its own requests). */
  key: string;
  /** For groupBy=child: the child's name. */
  name?: string;
  requests: string;
  tokens: string;
  /** What the account was charged: its cost. */
  charged: MicroCredits;
  /** What its direct children were charged for the same requests: its revenue. */
  revenue: MicroCredits;
  /** revenue − charged. */
  margin: MicroCredits;
}

export interface UsageReportView {
  accountId: string;
  from: string;
  to: string;
  groupBy: UsageGroup;
  rows: UsageRowView[];
  total: Omit<UsageRowView, 'key' | 'name'>;
}

export const REQUEST_STATUSES = ['ok', 'client_aborted', 'upstream_failed', 'released', 'reaped'] as const;

/** Filters of the request log, paged by `cursor` and `limit` like every other list. */
export class RequestLogQueryDto extends PageQueryDto {
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'from must be an ISO 8601 date or instant' })
  from?: string;

  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'to must be an ISO 8601 date or instant' })
  to?: string;

  @IsOptional()
  @IsString()
  @MaxLength(128)
  model?: string;

  @IsOptional()
  @IsUUID('all', { message: 'keyId must be an API key id' })
  keyId?: string;

  @IsOptional()
  @IsIn(REQUEST_STATUSES, { message: `status must be one of ${REQUEST_STATUSES.join(', ')}` })
  status?: string;
}

/** One relayed request as an ancestor sees it: metadata and its own charge, never any text. */
export interface RequestLogEntryView {
  requestId: string;
  settledAt: string;
  accountId: string;
  apiKeyId: string | null;
  model: string;
  status: string;
  inputTokens: string;
  cachedTokens: string;
  outputTokens: string;
  /** What this request cost the account whose log this is. */
  charged: MicroCredits;
}
