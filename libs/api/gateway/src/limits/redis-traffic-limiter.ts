import type { Redis } from 'ioredis';
import { type Admission, type LimitScope, MINUTE_MS, TrafficLimiter } from './traffic-limiter.js';

/**
 * KEYS: per scope its previous and current minute (hashes with fields r and t).
 * ARGV: ms into the current minute, tokens, then per scope rpm and tpm (-1 = no limit).
 * Checks every scope, then counts in every scope — or returns the first scope and unit that
 * has no room (1 = requests, 2 = tokens) and counts nothing.
 */
const ADMIT_LUA = `
local into = tonumber(ARGV[1])
local tokens = tonumber(ARGV[2])
local share = (${MINUTE_MS} - into) / ${MINUTE_MS}
local n = #KEYS / 2
for i = 1, n do
  local rpm = tonumber(ARGV[1 + 2 * i])
  local tpm = tonumber(ARGV[2 + 2 * i])
  local prev = redis.call('HMGET', KEYS[2 * i - 1], 'r', 't')
  local curr = redis.call('HMGET', KEYS[2 * i], 'r', 't')
  if rpm >= 0 and math.floor((tonumber(prev[1]) or 0) * share) + (tonumber(curr[1]) or 0) + 1 > rpm then return {i, 1} end
  if tpm >= 0 and math.floor((tonumber(prev[2]) or 0) * share) + (tonumber(curr[2]) or 0) + tokens > tpm then return {i, 2} end
end
for i = 1, n do
  redis.call('HINCRBY', KEYS[2 * i], 'r', 1)
  redis.call('HINCRBY', KEYS[2 * i], 't', tokens)
  redis.call('PEXPIRE', KEYS[2 * i], ${2 * MINUTE_MS + 5_000})
end
return {0, 0}
`;

/** KEYS: every scope's current minute. ARGV: tokens. */
const ADD_TOKENS_LUA = `
for i = 1, #KEYS do
  redis.call('HINCRBY', KEYS[i], 't', ARGV[1])
  redis.call('PEXPIRE', KEYS[i], ${2 * MINUTE_MS + 5_000})
end
return 0
`;

interface Scripts {
  tgTrafficAdmit(numKeys: number, ...args: (string | number)[]): Promise<[number, number]>;
  tgTrafficAddTokens(numKeys: number, ...args: (string | number)[]): Promise<number>;
}

/** Across replicas: one script call per request admits or refuses against every scope at once. */
export class RedisTrafficLimiter extends TrafficLimiter {
  private readonly scripts: Scripts;

  constructor(
    redis: Redis,
    /** Starts every key; carries the installation's hash tag so the multi-key script is cluster-legal. */
    private readonly prefix: string,
  ) {
    super();
    redis.defineCommand('tgTrafficAdmit', { lua: ADMIT_LUA });
    redis.defineCommand('tgTrafficAddTokens', { lua: ADD_TOKENS_LUA });
    this.scripts = redis as unknown as Scripts;
  }

  async admit(scopes: readonly LimitScope[], tokens: number, now = Date.now()): Promise<Admission> {
    if (scopes.length === 0) return { ok: true };
    const minute = Math.floor(now / MINUTE_MS);
    const into = now - minute * MINUTE_MS;
    const keys = scopes.flatMap((s) => [this.keyOf(s, minute - 1), this.keyOf(s, minute)]);
    const args = scopes.flatMap((s) => [s.rpm ?? -1, s.tpm ?? -1]);
    const [index, unit] = await this.scripts.tgTrafficAdmit(keys.length, ...keys, into, tokens, ...args);
    if (index === 0) return { ok: true };
    return { ok: false, scope: scopes[index - 1]!, unit: unit === 1 ? 'requests' : 'tokens', retryAfterSeconds: Math.ceil((MINUTE_MS - into) / 1000) };
  }

  async addTokens(scopes: readonly LimitScope[], tokens: number, now = Date.now()): Promise<void> {
    if (scopes.length === 0 || tokens <= 0) return;
    const minute = Math.floor(now / MINUTE_MS);
    const keys = scopes.map((s) => this.keyOf(s, minute));
    await this.scripts.tgTrafficAddTokens(keys.length, ...keys, tokens);
  }

  private keyOf(scope: LimitScope, minute: number): string {
    return `${this.prefix}${scope.id}:${minute}`;
  }
}
