import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

import { applySettings, controlsOf, MockControlError, resolveControls, splitModel, type MockControls, type MockSettings } from './controls.js';
import { MockRequestError, providerError, type FailureKind, type Surface } from './errors.js';
import type { Exchange } from './exchange.js';
import { readBody, sendFrames, sendJson, type Answer } from './http-io.js';
import * as anthropic from './providers/anthropic.js';
import * as gemini from './providers/gemini.js';
import * as openai from './providers/openai.js';
import { isRecord } from './reply.js';
import { draw } from './words.js';

export interface MockUpstreamOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Keep every request in `requests` (default true; the CLI turns it off unless `--record`). */
  record?: boolean;
  /** Beyond this many recorded requests the oldest are dropped (default 10 000). */
  maxRecorded?: number;
  /** Process-wide defaults, as `POST /__control` would set them; `reset()` returns to these. */
  settings?: MockSettings;
  /** One line per request on stderr (default: `MOCK_LOG=1`). */
  log?: boolean;
}

/** A request as it reached the mock, for assertions. */
export interface RecordedRequest {
  method: string;
  /** The path without the query string. */
  path: string;
  /** The raw request target, query string included. */
  url: string;
  headers: IncomingHttpHeaders;
  /** The parsed JSON body; the raw text when it is not JSON; undefined when empty. */
  body: unknown;
}

export interface MockUpstream {
  /** `http://127.0.0.1:PORT` */
  url: string;
  port: number;
  /** Every request (control calls excepted), oldest first. The array is never replaced. */
  requests: RecordedRequest[];
  /** Forgets recorded requests and fail-rate counters, and restores the startup settings. */
  reset(): void;
  /** Merges settings as `POST /__control` does (`null` clears a field) and returns the result. */
  configure(settings: Record<string, unknown>): MockSettings;
  close(): Promise<void>;
}

type Handler = (x: Exchange) => Answer;
/** Where a surface reads its API key from. */
type KeySource = 'openai' | 'azure' | 'anthropic' | 'gemini';

interface Route {
  surface: Surface;
  keys: KeySource;
  handler: Handler;
  /** The model named in the path (Gemini, Azure), else read from the body. */
  model?: string;
}

const CHAT: Route = { surface: 'openai', keys: 'openai', handler: openai.chatCompletions };
const COMPLETIONS: Route = { surface: 'openai', keys: 'openai', handler: openai.completions };
const EMBEDDINGS: Route = { surface: 'openai', keys: 'openai', handler: openai.embeddings };
const OPENAI_MODELS: Route = { surface: 'openai', keys: 'openai', handler: openai.listModels };
const MESSAGES: Route = { surface: 'anthropic', keys: 'anthropic', handler: anthropic.messages };
const COUNT_TOKENS: Route = { surface: 'anthropic', keys: 'anthropic', handler: anthropic.countTokens };
const ANTHROPIC_MODELS: Route = { surface: 'anthropic', keys: 'anthropic', handler: anthropic.listModels };
const GEMINI_MODELS: Route = { surface: 'gemini', keys: 'gemini', handler: gemini.listModels };

const GEMINI_METHODS: Readonly<Record<string, Handler>> = {
  generateContent: gemini.generateContent,
  streamGenerateContent: gemini.streamGenerateContent,
  countTokens: gemini.countTokens,
};

const AZURE_PREFIX = '/openai/deployments/';
const AZURE_SUFFIX: Readonly<Record<string, Handler>> = {
  '/chat/completions': openai.chatCompletions,
  '/completions': openai.completions,
  '/embeddings': openai.embeddings,
};

function decodeSegment(segment: string): string {
  return segment.includes('%') ? decodeURIComponent(segment) : segment;
}

/** Gemini `…/models/{model}:{method}` (POST) or `…/models/{model}` (GET). */
function geminiRoute(method: string, rest: string): Route | undefined {
  const colon = rest.lastIndexOf(':');
  if (colon < 0) {
    if (method !== 'GET' || rest === '') return undefined;
    const id = decodeSegment(rest);
    return { surface: 'gemini', keys: 'gemini', handler: () => gemini.getModel(id) };
  }
  const handler = GEMINI_METHODS[rest.slice(colon + 1)];
  if (method !== 'POST' || !handler) return undefined;
  return { surface: 'gemini', keys: 'gemini', handler, model: decodeSegment(rest.slice(0, colon)) };
}

/** The route of a request, without allocating for the fixed paths. */
function matchRoute(method: string, path: string, headers: IncomingHttpHeaders): Route | undefined {
  switch (path) {
    case '/v1/chat/completions':
      return method === 'POST' ? CHAT : undefined;
    case '/v1/messages':
      return method === 'POST' ? MESSAGES : undefined;
    case '/v1/completions':
      return method === 'POST' ? COMPLETIONS : undefined;
    case '/v1/embeddings':
      return method === 'POST' ? EMBEDDINGS : undefined;
    case '/v1/messages/count_tokens':
      return method === 'POST' ? COUNT_TOKENS : undefined;
    case '/v1/models':
      if (method !== 'GET') return undefined;
      return headers['anthropic-version'] !== undefined ? ANTHROPIC_MODELS : OPENAI_MODELS;
    case '/v1beta/models':
      return method === 'GET' ? GEMINI_MODELS : undefined;
  }
  if (path.startsWith('/v1beta/models/')) return geminiRoute(method, path.slice('/v1beta/models/'.length));
  if (path.startsWith('/v1/models/')) {
    const rest = path.slice('/v1/models/'.length);
    if (rest.includes(':')) return geminiRoute(method, rest);
    if (method !== 'GET' || rest === '') return undefined;
    const id = decodeSegment(rest);
    return { surface: 'openai', keys: 'openai', handler: () => openai.getModel(id) };
  }
  if (path.startsWith(AZURE_PREFIX) && method === 'POST') {
    const rest = path.slice(AZURE_PREFIX.length);
    const slash = rest.indexOf('/');
    const handler = slash > 0 ? AZURE_SUFFIX[rest.slice(slash)] : undefined;
    if (handler) return { surface: 'openai', keys: 'azure', handler, model: decodeSegment(rest.slice(0, slash)) };
  }
  return undefined;
}

/** The surface whose error shape a request expects, for requests that match no route. */
function guessSurface(path: string, headers: IncomingHttpHeaders): Surface {
  if (path.startsWith('/v1beta/')) return 'gemini';
  if (headers['anthropic-version'] !== undefined || headers['x-api-key'] !== undefined) return 'anthropic';
  return 'openai';
}

function bearer(header: string | undefined): string | undefined {
  if (header === undefined || header.length <= 7) return undefined;
  if (header.charCodeAt(6) !== 32 || header.slice(0, 6).toLowerCase() !== 'bearer') return undefined;
  return header.slice(7).trim() || undefined;
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function queryParam(query: string, name: string): string | undefined {
  if (query === '') return undefined;
  return new URLSearchParams(query).get(name) ?? undefined;
}

/** The API key in the provider's own place, or undefined when none (or an empty one) was sent. */
function apiKey(source: KeySource, headers: IncomingHttpHeaders, query: string): string | undefined {
  switch (source) {
    case 'openai':
      return bearer(headers.authorization);
    case 'azure':
      return single(headers['api-key']) || bearer(headers.authorization);
    case 'anthropic':
      return single(headers['x-api-key']) || bearer(headers.authorization);
    case 'gemini':
      return single(headers['x-goog-api-key']) || queryParam(query, 'key') || undefined;
  }
}

const CONTROL_PATH = '/__control';

/**
 * Starts the fake OpenAI / Anthropic / Gemini upstream. See the README for the surfaces and
 * the controls; `close()` ends open keep-alive connections too.
 */
export async function startMockUpstream(opts: MockUpstreamOptions = {}): Promise<MockUpstream> {
  const initial: MockSettings = opts.settings ? applySettings({}, opts.settings) : {};
  const record = opts.record ?? true;
  const maxRecorded = opts.maxRecorded ?? 10_000;
  const log = opts.log ?? process.env.MOCK_LOG === '1';
  const requests: RecordedRequest[] = [];
  const failCounters = new Map<string, number>();
  let settings = initial;
  let defaults: MockControls = controlsOf(initial);
  let revoked = new Set(initial.revokedKeys);
  let noBalance = new Set(initial.insufficientBalanceKeys);
  let seq = 0;

  function useSettings(next: MockSettings): MockSettings {
    settings = next;
    defaults = controlsOf(next);
    revoked = new Set(next.revokedKeys);
    noBalance = new Set(next.insufficientBalanceKeys);
    return next;
  }

  function fail(res: ServerResponse, surface: Surface, kind: FailureKind, controls: MockControls, context: { key?: string; model?: string; message?: string }): void {
    const error = providerError(surface, kind, context);
    sendJson(res, error.status, error.body, controls.retryAfter !== undefined ? { 'retry-after': String(controls.retryAfter) } : undefined);
  }

  /** The `failRate` draw: the k-th request naming a seed fails when draw(seed, k) < rate. */
  function drawFailure(controls: MockControls): boolean {
    const rate = controls.failRate;
    if (rate === undefined || rate <= 0) return false;
    const seed = controls.seed ?? '';
    const index = failCounters.get(seed) ?? 0;
    failCounters.set(seed, index + 1);
    return draw(seed, index) < rate;
  }

  function control(req: IncomingMessage, res: ServerResponse, raw: Buffer | undefined): void {
    try {
      if (req.method === 'POST') useSettings(applySettings(settings, raw && raw.length > 0 ? JSON.parse(raw.toString('utf8')) : {}));
      else if (req.method === 'DELETE') {
        useSettings(initial);
        failCounters.clear();
      } else if (req.method !== 'GET') return sendJson(res, 405, JSON.stringify({ error: { message: 'GET, POST or DELETE' } }));
      sendJson(res, 200, JSON.stringify(settings));
    } catch (error) {
      sendJson(res, 400, JSON.stringify({ error: { message: error instanceof Error ? error.message : String(error) } }));
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? 'GET';
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    const query = q < 0 ? '' : url.slice(q + 1);
    const raw = method === 'GET' || method === 'HEAD' ? undefined : await readBody(req);
    if (path === CONTROL_PATH) return control(req, res, raw);

    let body: unknown;
    let malformed = false;
    if (raw !== undefined && raw.length > 0) {
      const text = raw.toString('utf8');
      try {
        body = JSON.parse(text);
      } catch {
        body = text;
        malformed = true;
      }
    }
    if (record) {
      requests.push({ method, path, url, headers: req.headers, body });
      if (requests.length > maxRecorded) requests.splice(0, requests.length - maxRecorded);
    }

    const headers = req.headers;
    const route = matchRoute(method, path, headers);
    if (!route) return fail(res, guessSurface(path, headers), 404, defaults, { message: `Invalid URL (${method} ${path})` });
    const surface = route.surface;
    if (raw !== undefined && (malformed || !isRecord(body))) {
      return fail(res, surface, 400, defaults, { message: 'We could not parse the JSON body of your request.' });
    }
    const fields = (body ?? {}) as Record<string, unknown>;
    const named = route.model ?? fields['model'];
    const { name: model, suffix } = typeof named === 'string' ? splitModel(named) : { name: '', suffix: undefined };

    let controls: MockControls;
    try {
      controls = resolveControls(defaults, suffix, headers);
    } catch (error) {
      if (!(error instanceof MockControlError)) throw error;
      return fail(res, surface, 400, defaults, { message: error.message, model });
    }
    if (controls.latencyMs) await sleep(controls.latencyMs);

    const key = apiKey(route.keys, headers, query);
    if (key === undefined) return fail(res, surface, 'missing_key', controls, { model });
    if (revoked.size > 0 && revoked.has(key)) return fail(res, surface, 'revoked_key', controls, { key, model });
    if (noBalance.size > 0 && noBalance.has(key)) return fail(res, surface, 'insufficient_balance', controls, { key, model });
    if (controls.fail !== undefined) return fail(res, surface, controls.fail, controls, { key, model });
    if (drawFailure(controls)) return fail(res, surface, controls.failStatus ?? 500, controls, { key, model });

    let answer: Answer;
    try {
      answer = route.handler({ body: fields, model, controls, query, seq: ++seq, created: Math.floor(Date.now() / 1000) });
    } catch (error) {
      if (!(error instanceof MockRequestError)) throw error;
      return fail(res, surface, error.status, controls, { message: error.message, model });
    }
    if (answer.kind === 'json') {
      if (controls.disconnectAfter !== undefined) {
        res.socket?.destroy();
        return;
      }
      return sendJson(res, answer.status, answer.body);
    }
    return sendFrames(res, answer.contentType, answer.frames, controls.chunkDelayMs ?? 0, controls.disconnectAfter);
  }

  const server = createServer({ keepAlive: true, noDelay: true }, (req, res) => {
    if (log) {
      const started = performance.now();
      res.once('close', () => {
        process.stderr.write(`[mock-upstream] ${req.method} ${req.url} ${res.statusCode}${res.writableFinished ? '' : ' (cut)'} ${(performance.now() - started).toFixed(1)}ms\n`);
      });
    }
    handle(req, res).catch((error: unknown) => {
      process.stderr.write(`[mock-upstream] ${req.method} ${req.url} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      if (!res.headersSent) sendJson(res, 500, JSON.stringify({ error: { message: 'mock-upstream internal error', type: 'server_error' } }));
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 120_000;
  server.headersTimeout = 125_000;

  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const reachable = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;

  return {
    url: `http://${reachable}:${port}`,
    port,
    requests,
    reset() {
      requests.length = 0;
      failCounters.clear();
      useSettings(initial);
    },
    configure(next) {
      return useSettings(applySettings(settings, next));
    },
    close() {
      return new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
    },
  };
}
