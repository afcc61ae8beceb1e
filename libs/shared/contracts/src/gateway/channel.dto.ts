import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsObject,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  Max,
  MaxLength,
  Min,
} from 'class-validator';

/** Every upstream provider a channel may be of (DESIGN §6); the one list the API validates against. */
export const PROVIDER_IDS = [
  'openai',
  'azure',
  'anthropic',
  'gemini',
  'deepseek',
  'moonshot',
  'zhipu',
  'minimax',
  'qwen',
  'siliconflow',
  'groq',
  'openrouter',
  'ollama',
  'one-api',
] as const;
export type ProviderId = (typeof PROVIDER_IDS)[number];

export const CHANNEL_STATUSES = ['ENABLED', 'DISABLED_MANUAL', 'DISABLED_HEALTH'] as const;
export type ChannelStatusName = (typeof CHANNEL_STATUSES)[number];
/** What an operator may set by hand; DISABLED_HEALTH is set by the health checker only. */
export const MANUAL_CHANNEL_STATUSES = ['ENABLED', 'DISABLED_MANUAL'] as const;

/** How a key is picked inside a channel (and a channel among equals), DESIGN §6. */
export const SELECTION_STRATEGIES = ['weighted', 'round_robin', 'lru', 'least_used', 'most_remaining', 'oldest_first'] as const;
export type SelectionStrategy = (typeof SELECTION_STRATEGIES)[number];

/** An upstream key as sent by the operator: printable, no spaces. */
const UPSTREAM_KEY = /^[\x21-\x7e]{1,4096}$/;
const URL_OPTIONS = { protocols: ['http', 'https'], require_protocol: true, require_tld: false, allow_underscores: true };

export class CreateChannelDto {
  @IsString()
  @IsNotEmpty()
  @MaxLength(120)
  name!: string;

  @IsIn(PROVIDER_IDS, { message: `provider must be one of ${PROVIDER_IDS.join(', ')}` })
  provider!: ProviderId;

  @IsUrl(URL_OPTIONS, { message: 'baseUrl must be an http(s) URL' })
  @MaxLength(500)
  baseUrl!: string;

  /** Upstream API keys; stored encrypted, never shown again. */
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @IsString({ each: true })
  @Matches(UPSTREAM_KEY, { each: true, message: 'each key must be 1-4096 printable characters without spaces' })
  keys!: string[];

  /** Public model names served. */
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(500)
  @IsString({ each: true })
  models!: string[];

  /** Public model name → upstream model name. */
  @IsOptional()
  @IsObject()
  modelMapping?: Record<string, string>;

  @IsOptional()
  @IsInt()
  @Min(-1000)
  @Max(1000)
  priority?: number;

  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(10_000)
  weight?: number;

  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  @MaxLength(64, { each: true })
  tags?: string[];

  /** What the upstream costs relative to the catalog: 10000 = ×1.0. */
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(1_000_000)
  costMultiplierBps?: number;

  @IsOptional()
  @IsIn(SELECTION_STRATEGIES)
  strategy?: SelectionStrategy;
}

export class UpdateChannelDto {
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(120)
  name?: string;

  @IsOptional()
  @IsUrl(URL_OPTIONS, { message: 'baseUrl must be an http(s) URL' })
  @MaxLength(500)
  baseUrl?: string;

  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(500)
  @IsString({ each: true })
  models?: string[];

  @IsOptional()
  @IsObject()
  modelMapping?: Record<string, string>;

  @IsOptional()
  @IsInt()
  @Min(-1000)
  @Max(1000)
  priority?: number;

  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(10_000)
  weight?: number;

  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  @MaxLength(64, { each: true })
  tags?: string[];

  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(1_000_000)
  costMultiplierBps?: number;

  @IsOptional()
  @IsIn(SELECTION_STRATEGIES)
  strategy?: SelectionStrategy;

  /** Enable, or disable by hand. */
  @IsOptional()
  @IsIn(MANUAL_CHANNEL_STATUSES, { message: 'status must be ENABLED or DISABLED_MANUAL' })
  status?: (typeof MANUAL_CHANNEL_STATUSES)[number];
}

export class AddChannelKeyDto {
  @IsString()
  @Matches(UPSTREAM_KEY, { message: 'key must be 1-4096 printable characters without spaces' })
  key!: string;

  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(10_000)
  weight?: number;
}

/** An upstream key as the API shows it: masked, e.g. sk-…abcd. */
export interface ChannelKeyView {
  id: string;
  masked: string;
  status: ChannelStatusName;
  weight: number;
  createdAt: string;
}

export interface ChannelView {
  id: string;
  name: string;
  provider: ProviderId;
  baseUrl: string;
  models: string[];
  modelMapping: Record<string, string>;
  priority: number;
  weight: number;
  tags: string[];
  costMultiplierBps: number;
  status: ChannelStatusName;
  strategy: SelectionStrategy;
  keys: ChannelKeyView[];
  createdAt: string;
  updatedAt: string;
}

export interface ChannelEventView {
  id: string;
  channelId: string;
  keyId: string | null;
  from: string;
  to: string;
  reason: string;
  createdAt: string;
}
