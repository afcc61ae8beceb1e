import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { SELECTION_STRATEGIES, type SelectionStrategy } from '@tiergate/contracts';

/** Everything the API reads from the environment, read once at start (DESIGN §11). */
export class AppConfig {
  constructor(
    readonly port: number,
    readonly host: string,
    readonly dataDir: string,
    /** Unset → the embedded Postgres in dataDir. */
    readonly databaseUrl: string | undefined,
    /** Postgres schema to use (tests give each file its own). */
    readonly databaseSchema: string | undefined,
    /** Unset → in-process drivers (single node). */
    readonly redisUrl: string | undefined,
    /**
     * Every Redis key of this installation starts with it. It is one hash tag, so the ledger's
     * multi-key scripts stay legal on Redis Cluster; two installations sharing a Redis differ here.
     */
    readonly redisPrefix: string,
    readonly masterUsername: string,
    readonly masterPassword: string | undefined,
    readonly jwtSecret: string,
    readonly accessTokenTtlSeconds: number,
    readonly refreshTokenTtlSeconds: number,
    readonly loginLimits: LoginLimits,
    /** Addresses of proxies whose X-Forwarded-For is believed (Fastify trustProxy). */
    readonly trustProxy: boolean | string,
    /** 32-byte key that encrypts upstream channel keys at rest (AES-256-GCM). */
    readonly secretKey: Buffer,
    readonly health: HealthSettings = { failures: 5, windowSeconds: 60, probeSeconds: 60 },
    /** How the relay picks among channels of the same priority (keys follow their channel's own strategy). */
    readonly channelStrategy: SelectionStrategy = 'weighted',
    /**
     * Redis connections the ledger spreads reserve and settle over. ioredis keeps one
     * auto-pipeline in flight per connection; more connections overlap more batches but send
     * more, smaller writes (each a system call).
     */
    readonly ledgerConnections: number = 1,
  ) {}
}

/** When upstream keys and channels are taken out of rotation, and how often they are retried. */
export interface HealthSettings {
  /** Failures within the window that disable a key or a channel (auth and balance errors disable at once). */
  failures: number;
  windowSeconds: number;
  /** How often disabled keys and channels are probed to be re-enabled. */
  probeSeconds: number;
}

export interface LoginLimits {
  /** Failed logins of one username within the window before it is locked for the rest of it. */
  failuresPerUsername: number;
  /** Login attempts from one address within the window. */
  attemptsPerIp: number;
  windowSeconds: number;
}

function int(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw)) throw new Error(`${name} must be a whole number, got "${raw}"`);
  return Number(raw);
}

/** A secret from the environment, or one generated once into the data dir (single-node default). */
function secretFrom(env: NodeJS.ProcessEnv, name: string, dataDir: string, file: string): string {
  const given = env[name];
  if (given) return given;
  const path = join(dataDir, file);
  if (existsSync(path)) return readFileSync(path, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(32).toString('base64url');
  writeFileSync(path, secret + '\n', { mode: 0o600, flag: 'wx' });
  return secret;
}

/**
 * TIERGATE_SECRET_KEY as 64 hex digits or base64/base64url of 32 bytes; unset → generated once
 * into the data dir like the JWT secret. Losing it makes the stored channel keys unreadable.
 */
export function parseSecretKey(raw: string, name = 'TIERGATE_SECRET_KEY'): Buffer {
  const value = raw.trim();
  if (/^[0-9a-fA-F]{64}$/.test(value)) return Buffer.from(value, 'hex');
  if (/^[A-Za-z0-9+/_-]{43}=?$/.test(value)) {
    const key = Buffer.from(value, 'base64');
    if (key.length === 32) return key;
  }
  throw new Error(`${name} must be 32 bytes given as 64 hex digits or in base64, e.g. the output of \`openssl rand -base64 32\``);
}

function redisPrefixOf(raw: string | undefined): string {
  const prefix = raw || '{tg}';
  if (!/^\{[A-Za-z0-9_.:-]{1,64}\}$/.test(prefix)) throw new Error(`REDIS_PREFIX must be a hash tag like {tg}, got "${prefix}"`);
  return prefix;
}

function strategyOf(raw: string | undefined): SelectionStrategy {
  if (raw === undefined || raw === '') return 'weighted';
  if (!(SELECTION_STRATEGIES as readonly string[]).includes(raw)) throw new Error(`CHANNEL_STRATEGY must be one of ${SELECTION_STRATEGIES.join(', ')}, got "${raw}"`);
  return raw as SelectionStrategy;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const dataDir = resolve(env.DATA_DIR || './data');
  const trust = env.TRUST_PROXY;
  return new AppConfig(
    int(env, 'PORT', 8080),
    env.HOST || '0.0.0.0',
    dataDir,
    env.DATABASE_URL || undefined,
    env.DATABASE_SCHEMA || undefined,
    env.REDIS_URL || undefined,
    redisPrefixOf(env.REDIS_PREFIX),
    (env.MASTER_USERNAME || 'master').toLowerCase(),
    env.MASTER_PASSWORD || undefined,
    secretFrom(env, 'JWT_SECRET', dataDir, 'jwt-secret'),
    int(env, 'ACCESS_TOKEN_TTL_SECONDS', 15 * 60),
    int(env, 'REFRESH_TOKEN_TTL_SECONDS', 30 * 24 * 3600),
    {
      failuresPerUsername: int(env, 'LOGIN_FAILURES_PER_USERNAME', 10),
      attemptsPerIp: int(env, 'LOGIN_ATTEMPTS_PER_IP', 60),
      windowSeconds: int(env, 'LOGIN_WINDOW_SECONDS', 15 * 60),
    },
    trust === undefined || trust === '' ? false : trust === 'true' ? true : trust,
    parseSecretKey(secretFrom(env, 'TIERGATE_SECRET_KEY', dataDir, 'secret-key')),
    {
      failures: Math.max(1, int(env, 'HEALTH_FAILURES', 5)),
      windowSeconds: Math.max(1, int(env, 'HEALTH_WINDOW_SECONDS', 60)),
      probeSeconds: Math.max(1, int(env, 'HEALTH_PROBE_SECONDS', 60)),
    },
    strategyOf(env.CHANNEL_STRATEGY),
    Math.max(1, int(env, 'LEDGER_REDIS_CONNECTIONS', 1)),
  );
}
