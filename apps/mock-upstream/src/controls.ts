import type { IncomingHttpHeaders } from 'node:http';

/** A failure forced on a request: an HTTP status (400–599) or the provider's "no balance" answer. */
export type MockFailure = number | 'insufficient_balance';

/**
 * Behaviour knobs. Each can come, per request, from an `x-mock-*` header or a suffix of the
 * model name (`mock-gpt@fail=500`, `mock-gpt@latency=50,chunks=5,disconnect=3,nousage`), or
 * process-wide from `POST /__control`. Headers beat the model suffix, which beats the defaults.
 */
export interface MockControls {
  /** Delay before the first byte of the answer (also before errors). */
  latencyMs?: number;
  /** Delay between two stream frames. */
  chunkDelayMs?: number;
  /** Fail every request with this status (in the provider's error shape), before any byte. */
  fail?: MockFailure;
  /** Fail this share (0–1) of requests, drawn deterministically from `seed` and a per-seed counter. */
  failRate?: number;
  /** Status of the failures drawn by `failRate` (default 500). */
  failStatus?: number;
  /** Names the pseudo-random sequence `failRate` draws from (default ""). */
  seed?: string;
  /** Streams: write this many SSE frames, then close the socket without ending the body. Non-streams: close before any byte. */
  disconnectAfter?: number;
  /** Never report usage, even when asked (`stream_options.include_usage`). */
  noUsage?: boolean;
  /** Exact completion length in words (still capped by the request's max tokens). */
  tokens?: number;
  /** Split the reply text into this many content frames (default one frame per word). */
  chunks?: number;
  /** Prompt words reported as read from the prompt cache (OpenAI cached_tokens, Anthropic cache_read_input_tokens, Gemini cachedContentTokenCount). */
  cachedTokens?: number;
  /** Prompt words reported as written to the cache (Anthropic cache_creation_input_tokens). */
  cacheWriteTokens?: number;
  /** Seconds sent in a `retry-after` header on failures. */
  retryAfter?: number;
}

/** Process-wide settings: default controls plus the keys that answer as revoked or out of balance. */
export interface MockSettings extends MockControls {
  revokedKeys?: string[];
  insufficientBalanceKeys?: string[];
}

/** A control value that does not parse; the server answers 400 in the provider's error shape. */
export class MockControlError extends Error {
  override readonly name = 'MockControlError';
}

type Parser = (raw: string) => MockControls[keyof MockControls] | undefined;

interface ControlSpec {
  readonly key: keyof MockControls;
  readonly header: string;
  /** Names accepted in the model suffix, lower-cased with `-` and `_` removed. */
  readonly names: readonly string[];
  readonly parse: Parser;
}

const INTEGER = /^\d{1,9}$/;
const DASHES = /-/g;

const nonNegativeInt: Parser = (raw) => (INTEGER.test(raw) ? Number(raw) : undefined);
const positiveInt: Parser = (raw) => (INTEGER.test(raw) && Number(raw) > 0 ? Number(raw) : undefined);
const status: Parser = (raw) => {
  const code = INTEGER.test(raw) ? Number(raw) : NaN;
  return code >= 400 && code <= 599 ? code : undefined;
};
const rate: Parser = (raw) => {
  const value = raw.trim() === '' ? NaN : Number(raw);
  return value >= 0 && value <= 1 ? value : undefined;
};
const text: Parser = (raw) => (raw.length > 0 ? raw : undefined);
const flag: Parser = (raw) => {
  const value = raw.toLowerCase();
  if (value === '' || value === '1' || value === 'true' || value === 'yes') return true;
  if (value === '0' || value === 'false' || value === 'no') return false;
  return undefined;
};
const failure: Parser = (raw) => {
  const value = raw.toLowerCase().replace(DASHES, '_');
  if (value === 'insufficient_balance' || value === 'insufficient_quota' || value === 'no_balance') return 'insufficient_balance';
  return status(raw);
};

const SPECS: readonly ControlSpec[] = [
  { key: 'latencyMs', header: 'x-mock-latency-ms', names: ['latency', 'latencyms'], parse: nonNegativeInt },
  { key: 'chunkDelayMs', header: 'x-mock-chunk-delay-ms', names: ['chunkdelay', 'chunkdelayms', 'delay'], parse: nonNegativeInt },
  { key: 'fail', header: 'x-mock-fail', names: ['fail'], parse: failure },
  { key: 'failRate', header: 'x-mock-fail-rate', names: ['failrate', 'rate'], parse: rate },
  { key: 'failStatus', header: 'x-mock-fail-status', names: ['failstatus'], parse: status },
  { key: 'seed', header: 'x-mock-seed', names: ['seed'], parse: text },
  { key: 'disconnectAfter', header: 'x-mock-disconnect-after', names: ['disconnect', 'disconnectafter'], parse: nonNegativeInt },
  { key: 'noUsage', header: 'x-mock-no-usage', names: ['nousage'], parse: flag },
  { key: 'tokens', header: 'x-mock-tokens', names: ['tokens'], parse: nonNegativeInt },
  { key: 'chunks', header: 'x-mock-chunks', names: ['chunks'], parse: positiveInt },
  { key: 'cachedTokens', header: 'x-mock-cached-tokens', names: ['cached', 'cachedtokens'], parse: nonNegativeInt },
  { key: 'cacheWriteTokens', header: 'x-mock-cache-write-tokens', names: ['cachewrite', 'cachewritetokens'], parse: nonNegativeInt },
  { key: 'retryAfter', header: 'x-mock-retry-after', names: ['retryafter'], parse: nonNegativeInt },
];

const BY_KEY = new Map<string, ControlSpec>(SPECS.map((spec) => [spec.key, spec]));
const BY_NAME = new Map<string, ControlSpec>(SPECS.flatMap((spec) => spec.names.map((name) => [name, spec] as const)));
const NAME_NOISE = /[-_]/g;

/** The headers that carry controls, for documentation and CORS-style listings. */
export const CONTROL_HEADERS: readonly string[] = SPECS.map((spec) => spec.header);

function assign(target: MockControls, spec: ControlSpec, raw: string, source: string): void {
  const value = spec.parse(raw.trim());
  if (value === undefined) throw new MockControlError(`mock-upstream: invalid ${source} value ${JSON.stringify(raw)}`);
  (target as Record<string, unknown>)[spec.key] = value;
}

/**
 * Splits `model@controls` into the model name and its control suffix. The suffix counts only
 * when it looks like controls (has `=` or is one known flag), so names such as Vertex's
 * `claude-3-5-sonnet@20240620` pass through untouched.
 */
export function splitModel(model: string): { name: string; suffix: string | undefined } {
  const at = model.lastIndexOf('@');
  if (at < 0) return { name: model, suffix: undefined };
  const suffix = model.slice(at + 1);
  if (suffix.includes('=') || BY_NAME.has(suffix.toLowerCase().replace(NAME_NOISE, ''))) {
    return { name: model.slice(0, at), suffix };
  }
  return { name: model, suffix: undefined };
}

/** Parses `latency=50,chunks=5,nousage` into controls; unknown names and bad values throw. */
export function parseControlSuffix(suffix: string, into: MockControls = {}): MockControls {
  for (const item of suffix.split(',')) {
    if (item === '') continue;
    const eq = item.indexOf('=');
    const name = (eq < 0 ? item : item.slice(0, eq)).trim();
    const spec = BY_NAME.get(name.toLowerCase().replace(NAME_NOISE, ''));
    if (!spec) throw new MockControlError(`mock-upstream: unknown control ${JSON.stringify(name)} in the model name`);
    assign(into, spec, eq < 0 ? '' : item.slice(eq + 1), `model control ${name}`);
  }
  return into;
}

/**
 * The controls of one request: `defaults`, overridden by the model suffix, overridden by
 * `x-mock-*` headers. Returns `defaults` itself (no allocation) when the request carries none.
 */
export function resolveControls(defaults: MockControls, suffix: string | undefined, headers: IncomingHttpHeaders): MockControls {
  let out: MockControls | undefined;
  if (suffix !== undefined) out = parseControlSuffix(suffix, { ...defaults });
  for (let i = 0; i < SPECS.length; i++) {
    const spec = SPECS[i];
    const raw = headers[spec.header];
    if (raw === undefined) continue;
    out ??= { ...defaults };
    assign(out, spec, Array.isArray(raw) ? raw[0] : raw, `header ${spec.header}`);
  }
  return out ?? defaults;
}

function keyList(value: unknown, field: string): string[] {
  if (!Array.isArray(value) || !value.every((key) => typeof key === 'string')) {
    throw new MockControlError(`mock-upstream: ${field} must be an array of strings`);
  }
  return value as string[];
}

/**
 * Applies a `POST /__control` body to `current` and returns the new settings. Fields are the
 * `MockSettings` names; `null` clears one. Unknown fields and bad values throw.
 */
export function applySettings(current: MockSettings, body: unknown): MockSettings {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new MockControlError('mock-upstream: the control body must be a JSON object');
  }
  const next: MockSettings = { ...current };
  for (const [field, value] of Object.entries(body as Record<string, unknown>)) {
    if (field === 'revokedKeys' || field === 'insufficientBalanceKeys') {
      if (value === null) delete next[field];
      else next[field] = keyList(value, field);
      continue;
    }
    const spec = BY_KEY.get(field);
    if (!spec) throw new MockControlError(`mock-upstream: unknown control field ${JSON.stringify(field)}`);
    if (value === null) {
      delete next[spec.key];
      continue;
    }
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
      throw new MockControlError(`mock-upstream: control field ${field} must be a string, number or boolean`);
    }
    assign(next, spec, String(value), `control field ${field}`);
  }
  return next;
}

/** The controls part of settings (what requests inherit), without the key lists. */
export function controlsOf(settings: MockSettings): MockControls {
  const { revokedKeys: _revoked, insufficientBalanceKeys: _balance, ...controls } = settings;
  return controls;
}
