import { ArrayMaxSize, IsArray, IsBoolean, IsDateString, IsInt, IsNotEmpty, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';

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

/** What a key may be given at creation and changed later; the key's own RPM/TPM come from RateLimitsDto. */
class ApiKeyFieldsDto extends RateLimitsDto {
  /** Models the key may call; absent or empty = every model the owner may use. */
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(200)
  @IsString({ each: true })
  @MaxLength(128, { each: true })
  models?: string[];

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
}

/** A relay key of a USER or TENANT account (DESIGN §7). */
export class CreateApiKeyDto extends ApiKeyFieldsDto {
  @IsString()
  @IsNotEmpty()
  @MaxLength(120)
  name!: string;

  @IsOptional()
  @IsDateString()
  expiresAt?: string;
}

/** What may change on a key after it is created (the secret never does); null clears expiry and limits. */
export class UpdateApiKeyDto extends ApiKeyFieldsDto {
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(120)
  name?: string;

  @IsOptional()
  @IsDateString()
  expiresAt?: string | null;
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
