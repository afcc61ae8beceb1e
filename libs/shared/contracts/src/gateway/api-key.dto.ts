import { ArrayMaxSize, IsArray, IsBoolean, IsDateString, IsInt, IsNotEmpty, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';

/** A relay key of a USER or TENANT account (DESIGN §7). */
export class CreateApiKeyDto {
  @IsString()
  @IsNotEmpty()
  @MaxLength(120)
  name!: string;

  /** Models the key may call; absent or empty = every model the owner may use. */
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(200)
  @IsString({ each: true })
  @MaxLength(128, { each: true })
  models?: string[];

  @IsOptional()
  @IsDateString()
  expiresAt?: string;

  /** Addresses (203.0.113.7, 2001:db8::1) or CIDR blocks (10.0.0.0/8); absent or empty = any. */
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  @MaxLength(64, { each: true })
  ipAllowList?: string[];

  /** May requests with this key choose their channel (X-Tiergate-Channel)? */
  @IsOptional()
  @IsBoolean()
  allowChannelPin?: boolean;

  /** Requests per minute through this key; absent = no limit of its own. */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  rpmLimit?: number;

  /** Tokens per minute through this key (prompt and completion); absent = no limit of its own. */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(2_000_000_000)
  tpmLimit?: number;
}

/** What may change on a key after it is created (the secret never does); null clears a field. */
export class UpdateApiKeyDto {
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(120)
  name?: string;

  @IsOptional()
  @IsArray()
  @ArrayMaxSize(200)
  @IsString({ each: true })
  @MaxLength(128, { each: true })
  models?: string[];

  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  @MaxLength(64, { each: true })
  ipAllowList?: string[];

  @IsOptional()
  @IsDateString()
  expiresAt?: string | null;

  @IsOptional()
  @IsBoolean()
  allowChannelPin?: boolean;

  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  rpmLimit?: number | null;

  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(2_000_000_000)
  tpmLimit?: number | null;
}

/** Requests and tokens per minute for an account's whole subtree; null lifts a limit. Set by an ancestor. */
export class RateLimitsDto {
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  rpmLimit?: number | null;

  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(2_000_000_000)
  tpmLimit?: number | null;
}

export interface RateLimitsView {
  accountId: string;
  rpmLimit: number | null;
  tpmLimit: number | null;
}

export const API_KEY_STATUSES = ['ACTIVE', 'REVOKED'] as const;
export type ApiKeyStatusName = (typeof API_KEY_STATUSES)[number];

/** A key as lists show it: never the key itself nor its hash. */
export interface ApiKeyView {
  id: string;
  accountId: string;
  name: string;
  /** First characters of the key, e.g. tg-AbCd1234. */
  prefix: string;
  models: string[];
  ipAllowList: string[];
  expiresAt: string | null;
  status: ApiKeyStatusName;
  allowChannelPin: boolean;
  rpmLimit: number | null;
  tpmLimit: number | null;
  lastUsedAt: string | null;
  createdAt: string;
  revokedAt: string | null;
}

/** The answer to a create: the only time the key is shown. */
export interface CreatedApiKey extends ApiKeyView {
  key: string;
}
