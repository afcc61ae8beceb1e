import { Type } from 'class-transformer';
import {
  IsBoolean,
  IsDateString,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { IsMicroCredits, IsNonNegativeMicroCredits, type MicroCredits } from '../common/money.js';

export const QUOTA_UNITS = ['CREDITS', 'REQUESTS', 'TOKENS'] as const;
export type QuotaUnitName = (typeof QUOTA_UNITS)[number];
export const WINDOW_KINDS = ['LIFETIME', 'CALENDAR', 'FIXED_INTERVAL'] as const;
export const CALENDAR_PERIODS = ['DAY', 'WEEK', 'MONTH'] as const;

export class QuotaWindowDto {
  @IsIn(WINDOW_KINDS)
  kind!: (typeof WINDOW_KINDS)[number];

  @ValidateIf((w: QuotaWindowDto) => w.kind === 'CALENDAR')
  @IsIn(CALENDAR_PERIODS)
  period?: (typeof CALENDAR_PERIODS)[number];

  /** IANA zone for CALENDAR windows, e.g. Asia/Shanghai. */
  @ValidateIf((w: QuotaWindowDto) => w.kind === 'CALENDAR')
  @IsString()
  @MaxLength(64)
  timezone?: string;

  @ValidateIf((w: QuotaWindowDto) => w.kind === 'FIXED_INTERVAL')
  @IsInt()
  @Min(1)
  @Max(24 * 366)
  hours?: number;

  /** FIXED_INTERVAL: windows start at anchor + k·hours. CALENDAR: optional start of the day/week/month. */
  @ValidateIf((w: QuotaWindowDto) => w.kind === 'FIXED_INTERVAL' || w.anchor !== undefined)
  @IsDateString()
  anchor?: string;
}

export class CreateQuotaRuleDto {
  @IsIn(QUOTA_UNITS)
  unit!: QuotaUnitName;

  @ValidateNested()
  @Type(() => QuotaWindowDto)
  window!: QuotaWindowDto;

  /** null or absent = unlimited. µc for CREDITS, a count for REQUESTS and TOKENS. */
  @IsOptional()
  @IsNonNegativeMicroCredits()
  limit?: MicroCredits | null;
}

export class UpdateQuotaRuleDto {
  @ValidateIf((_, v) => v !== null)
  @IsNonNegativeMicroCredits()
  limit!: MicroCredits | null;
}

export class GrantDto {
  /** µc, may be negative. */
  @IsMicroCredits()
  delta!: MicroCredits;

  @IsOptional()
  @IsString()
  @MaxLength(500)
  note?: string;

  /** A payment or invoice id in the operator's own system. */
  @IsOptional()
  @IsString()
  @MaxLength(200)
  externalRef?: string;
}

export class AccountSettingsDto {
  @IsBoolean()
  oversell!: boolean;
}

export class MintCodesDto {
  @IsNonNegativeMicroCredits()
  value!: MicroCredits;

  @IsInt()
  @Min(1)
  @Max(1000)
  count!: number;

  @IsOptional()
  @IsDateString()
  expiresAt?: string;
}

export class RedeemCodeDto {
  @IsString()
  @Matches(/^tgc-[A-Za-z0-9_-]{8,64}$/, { message: 'code must look like tgc-…' })
  code!: string;
}

export interface QuotaRuleView {
  id: string;
  unit: QuotaUnitName;
  window: { kind: string; period?: string; timezone?: string; hours?: number; anchor?: string };
  limit: MicroCredits | null;
  used: MicroCredits;
  /** Next window start; null for LIFETIME. */
  resetsAt: string | null;
  main: boolean;
}

/** An API key's own rules, with what is used in each current window. */
export interface KeyQuotaView {
  apiKeyId: string;
  rules: QuotaRuleView[];
}

export interface QuotaView {
  accountId: string;
  oversell: boolean;
  rules: QuotaRuleView[];
}

export interface GrantView {
  id: string;
  granterId: string;
  accountId: string;
  delta: MicroCredits;
  limitAfter: MicroCredits;
  note: string | null;
  externalRef: string | null;
  createdAt: string;
}

export interface MintedCodes {
  batchId: string;
  value: MicroCredits;
  expiresAt: string | null;
  /** Shown once. */
  codes: string[];
}

export interface RedemptionCodeView {
  id: string;
  batchId: string;
  hint: string;
  value: MicroCredits;
  expiresAt: string | null;
  redeemedBy: string | null;
  redeemedAt: string | null;
  createdAt: string;
}
