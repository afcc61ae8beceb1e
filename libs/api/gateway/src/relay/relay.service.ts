import { Injectable, Logger } from '@nestjs/common';
import { AppConfig, ForbiddenError, InvalidInputError, NotFoundError, RateLimitedError, UnavailableError } from '@tiergate/api-core';
import { type ActualUsage, LedgerDriver, type LevelCharge, counterOf } from '@tiergate/api-ledger';
import type { Usage } from '@tiergate/api-pricing';
import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { Agent, type Dispatcher, request } from 'undici';
import { type ChatCompletion, type TokenUsage, isRecord, parseJson } from '../providers/canonical.js';
import type { ProviderAdapter, StreamDecoder, StreamEncoder, Surface, UpstreamEvent } from '../providers/provider.js';
import { adapterFor } from '../providers/registry.js';
import { countChatPromptTokens, countTokens } from '../tokens/token-counter.js';
import { type Admission, type LimitScope, TrafficLimiter } from '../limits/traffic-limiter.js';
import { ChainQuoter } from './chain-quoter.js';
import { type RelayChannel, RelayChannelSource, type UpstreamFailureReport, attemptOrder } from './relay-channel.js';
import { SelectionMemory } from './selection.js';

/** A key quota rule as counterOf reads it. */
type KeyRule = Parameters<typeof counterOf>[0];

/** Who is calling the relay, as established from its API key. */
export interface RelayCaller {
  accountId: string;
  keyId?: string;
  /** Models the key may use; empty = any the account may use. */
  models: string[];
  /** The key's own requests/tokens per minute; null or absent = none. */
  rpmLimit?: number | null;
  tpmLimit?: number | null;
  /** The key's own quota rules: their counters join the caller's level in the reservation. */
  quotaRules?: readonly KeyRule[];
  /** May the caller choose its channel (X-Tiergate-Channel)? */
  allowChannelPin?: boolean;
  /** The channel the request asked for, if any. */
  pinnedChannelId?: string;
}

/** Output cap used for the reservation when the request sets none. */
const DEFAULT_MAX_OUTPUT_TOKENS = 4096;
/** A reservation outlives any sane request; the reaper finishes it if the process dies. */
const RESERVATION_TTL_MS = 15 * 60_000;

type Outcome = { usage: TokenUsage; status: ActualUsage['status'] };
type Attempt = ReturnType<typeof attemptOrder>[number];

/** A request past every gate, with its reservation open. */
interface OpenRequest {
  /** Keys and channels to try, in order. */
  attempts: Attempt[];
  settle(channel: RelayChannel, outcome: Outcome): Promise<void>;
  /** In a finally: an attempt that never settled gives its reservation back. */
  releaseUnlessSettled(): Promise<void>;
}

/** One relayed call: which surface the client speaks, and what its route adds to the body. */
export interface RelayCall {
  surface: Surface;
  caller: RelayCaller;
  body: unknown;
  /** Gemini puts the model and the stream choice in the path. */
  route?: { model?: string; stream?: boolean };
  /** Only channels of this provider type (`/v1/{provider}/chat/completions`). */
  provider?: string;
  /** Client headers forwarded on a same-protocol pass-through (`anthropic-version`, `anthropic-beta`). */
  passHeaders?: Record<string, string>;
  res: ServerResponse;
  clientGone: AbortSignal;
  requestId?: string;
}

/**
 * The relay pipeline for every surface, top to bottom: read the request in its surface's
 * protocol → caller's chain (cached) → status and model access → channels (provider, pin) →
 * RPM/TPM → price every level → reserve along the chain, the key's own rules included (`open`) →
 * per attempt (`send`, health told of every failure): same protocol as the upstream → pass the
 * body through (model mapped), else convert through the canonical chat format → call upstream
 * (next key/channel on 429, 5xx, auth and connect errors, never after the first byte) → answer
 * or stream back, converted chunk by chunk, while counting → settle with the reported usage
 * (counted when none) — or release.
 */
@Injectable()
export class RelayService {
  private readonly logger = new Logger('Relay');
  private readonly dispatcher: Dispatcher = new Agent({ connections: 512, pipelining: 1, keepAliveTimeout: 60_000, headersTimeout: 120_000, bodyTimeout: 300_000 });

  constructor(
    private readonly quoter: ChainQuoter,
    private readonly ledger: LedgerDriver,
    private readonly channels: RelayChannelSource,
    private readonly config: AppConfig,
    private readonly traffic: TrafficLimiter,
  ) {}

  /** Round-robin cursors and last-use times of this replica's channel and key choices. */
  private readonly selection = new SelectionMemory();

  async relay(call: RelayCall): Promise<void> {
    const { surface, caller, res, clientGone } = call;
    const requestId = call.requestId ?? randomUUID();
    const inbound = surface.parse(call.body, call.route ?? {});
    const { model, stream } = inbound;
    const promptTokens = countChatPromptTokens(inbound.canonical.messages, inbound.canonical.tools);
    const maxOutput = inbound.canonical.max_completion_tokens ?? inbound.canonical.max_tokens ?? DEFAULT_MAX_OUTPUT_TOKENS;
    const open = await this.open({ caller, model, provider: call.provider, promptTokens, maxOutput, requestId });
    try {
      for (const attempt of open.attempts) {
        const { channel } = attempt;
        const adapter = adapterFor(channel.provider);
        if (!adapter) continue;
        const upstreamModel = channel.modelMapping[model] ?? model;
        const passthrough = adapter.protocol === surface.protocol;
        const upstreamBody = passthrough ? adapter.wire.passthroughRequest(inbound.native, upstreamModel, stream) : adapter.wire.buildRequest(inbound.canonical, upstreamModel, stream);
        const upstream = await this.send(attempt, adapter, adapter.chatUrl(channel.baseUrl, upstreamModel, stream), upstreamBody, clientGone, passthrough ? call.passHeaders : undefined);
        if (!upstream) continue;
        if (!stream) {
          const text = await upstream.body.text();
          const json: unknown = JSON.parse(text);
          const parsed = adapter.wire.parseResponse(json, model);
          const usage = parsed.usage ?? { prompt: promptTokens, completion: countTokens(completionTextOf(parsed.completion)), cached: 0, cacheWrite: 0 };
          await open.settle(channel, { usage, status: 'ok' });
          if (!passthrough) sendAnswer(res, requestId, JSON.stringify(surface.renderResponse(parsed.completion, usage, model)));
          // A pass-through answer goes back byte for byte unless the model name must change.
          else if ((json as Record<string, unknown>)[adapter.wire.modelField] === model) sendAnswer(res, requestId, text);
          else sendAnswer(res, requestId, JSON.stringify({ ...(json as Record<string, unknown>), [adapter.wire.modelField]: model }));
          return;
        }
        // Clients see the public model name, whatever name the upstream answers with (often not
        // the one it was asked for: a dated version, or a mapping's options dropped).
        const rename = passthrough ? { pattern: modelFieldPattern(adapter.wire.modelField), to: `${JSON.stringify(adapter.wire.modelField)}:${JSON.stringify(model)}` } : undefined;
        const encoder = passthrough ? null : surface.streamEncoder({ model, includeUsage: inbound.includeUsage, promptTokens });
        await this.pipeStream(upstream, res, adapter.wire.streamDecoder(model, { chunks: !passthrough }), encoder, { requestId, clientGone, rename, includeUsage: inbound.includeUsage, promptTokens }, (outcome) =>
          open.settle(channel, outcome),
        );
        return;
      }
      throw new UnavailableError('upstream_unavailable', 'Every upstream for this model failed; try again shortly');
    } finally {
      await open.releaseUnlessSettled();
    }
  }

  /**
   * OpenAI embeddings, on the same gates and ledger as chat: the input is counted and reserved,
   * sent to an OpenAI-protocol channel (the body passes through, model mapped), and settled with
   * the prompt tokens the upstream reports.
   */
  async embeddings(caller: RelayCaller, raw: unknown, res: ServerResponse, clientGone: AbortSignal, requestId: string = randomUUID()): Promise<void> {
    const body = parseEmbeddingsBody(raw);
    const { model } = body;
    const promptTokens = countEmbeddingInput(body.input);
    const open = await this.open({ caller, model, promptTokens, maxOutput: 0, requestId, embeddings: true });
    try {
      for (const attempt of open.attempts) {
        const { channel } = attempt;
        const adapter = adapterFor(channel.provider);
        const url = adapter?.embeddingsUrl?.(channel.baseUrl, channel.modelMapping[model] ?? model);
        if (!adapter || !url) continue;
        const upstream = await this.send(attempt, adapter, url, { ...body, model: channel.modelMapping[model] ?? model }, clientGone);
        if (!upstream) continue;
        const json = (await upstream.body.json()) as { model?: string; usage?: { prompt_tokens?: number } };
        const reported = json.usage?.prompt_tokens;
        await open.settle(channel, { usage: { prompt: typeof reported === 'number' ? reported : promptTokens, completion: 0, cached: 0, cacheWrite: 0 }, status: 'ok' });
        sendAnswer(res, requestId, JSON.stringify({ ...json, model }));
        return;
      }
      throw new UnavailableError('upstream_unavailable', 'Every upstream for this model failed; try again shortly');
    } finally {
      await open.releaseUnlessSettled();
    }
  }

  /**
   * The gates every relayed request passes, in order: model access → chain (cached), suspended or
   * not → priced → channels (provider, pin) → RPM/TPM → price every level → reserve along the
   * chain (with the key's own rules). Returns the attempts in order and how to settle or release.
   */
  private async open(req: {
    caller: RelayCaller;
    model: string;
    provider?: string;
    promptTokens: number;
    maxOutput: number;
    requestId: string;
    /** Only channels whose provider has an embeddings endpoint. */
    embeddings?: boolean;
  }): Promise<OpenRequest> {
    const { caller, model, requestId } = req;
    if (caller.models.length > 0 && !caller.models.includes(model)) {
      throw new ForbiddenError('model_not_allowed', `This API key may not use the model "${model}"`);
    }
    const chain = await this.quoter.chainOf(caller.accountId);
    if (chain.blocked) throw new ForbiddenError('account_suspended', 'This account, or one above it, is suspended');
    if (!ChainQuoter.isPriced(chain, model)) throw new NotFoundError('model_not_found', `The model "${model}" does not exist or you do not have access to it`);
    const served = (await this.channels.channelsFor(model)).filter(
      (c) => (req.provider === undefined || c.provider === req.provider) && (!req.embeddings || adapterFor(c.provider)?.embeddingsUrl !== undefined),
    );
    const attempts = attemptOrder(pinned(served, caller), { strategy: this.config.channelStrategy, memory: this.selection });
    if (attempts.length === 0) throw new UnavailableError('no_channel', `No upstream is serving "${model}" right now`);

    const limits = limitScopesOf(caller, chain.limits);
    const admission = await this.traffic.admit(limits, req.promptTokens);
    if (!admission.ok) throw rateLimitedError(admission, caller.accountId);
    const estimate: Usage = { inputTokens: BigInt(req.promptTokens), cachedInputTokens: 0n, outputTokens: BigInt(req.maxOutput) };
    const reserved = this.quoter.levels(chain, model, estimate, attempts[0]!.channel.costMultiplierBps);
    const keyRules = caller.quotaRules ?? [];
    if (keyRules.length > 0) {
      const now = new Date();
      reserved[0]!.counters.push(...keyRules.map((rule) => counterOf(rule, now)));
    }
    const verdict = await this.ledger.reserve({
      requestId,
      levels: reserved,
      deadlineAt: Date.now() + RESERVATION_TTL_MS,
      meta: { accountId: caller.accountId, apiKeyId: caller.keyId, model },
    });
    if (!verdict.ok) {
      // Which tier ran out, never whose balance: the key, the caller's account, or one above it.
      const who = keyRules.some((r) => r.id === verdict.ruleId) ? 'this API key' : verdict.levelIndex === 0 ? 'your account' : 'the account of your provider';
      throw new RateLimitedError('insufficient_quota', `Quota exceeded: ${who} has no ${verdict.unit.toLowerCase()} left for this request`);
    }

    let settled = false;
    return {
      attempts,
      settle: async (channel, outcome) => {
        settled = true;
        const usage: Usage = {
          inputTokens: BigInt(outcome.usage.prompt),
          cachedInputTokens: BigInt(Math.min(outcome.usage.cached, outcome.usage.prompt)),
          outputTokens: BigInt(outcome.usage.completion),
        };
        const actual = this.quoter.levels(chain, model, usage, channel.costMultiplierBps);
        await this.ledger.settle(requestId, actualOf(actual, usage, outcome.status));
        // The prompt was counted at admission; the window gets the completion now.
        if (limits.length > 0 && usage.outputTokens > 0n) {
          this.traffic.addTokens(limits, Number(usage.outputTokens)).catch((err: unknown) => this.logger.warn(`tpm count for ${requestId}: ${String(err)}`));
        }
      },
      releaseUnlessSettled: async () => {
        if (!settled) await this.ledger.release(requestId).catch((err: unknown) => this.logger.error(`release ${requestId}: ${String(err)}`));
      },
    };
  }

  /**
   * One attempt upstream. Null when it failed in a way the next key or channel may not (429,
   * 5xx, auth, unreachable) — reported to health; throws when the upstream refused the request
   * itself (charged nothing, said in the caller's shape).
   */
  private async send(
    { channel, key }: Attempt,
    adapter: ProviderAdapter,
    url: string,
    body: unknown,
    clientGone: AbortSignal,
    extraHeaders?: Record<string, string>,
  ): Promise<Dispatcher.ResponseData | null> {
    this.selection.used(channel.id);
    this.selection.used(key.id);
    let upstream: Dispatcher.ResponseData;
    try {
      upstream = await request(url, {
        method: 'POST',
        dispatcher: this.dispatcher,
        headers: { 'content-type': 'application/json', ...extraHeaders, ...adapter.authHeaders(key.key) },
        body: JSON.stringify(body),
        signal: clientGone,
      });
    } catch (err) {
      if (clientGone.aborted) throw err;
      this.logger.warn(`channel ${channel.id}: ${String(err)}; trying the next`);
      this.reportFailure({ channelId: channel.id, keyId: key.id, scope: 'channel', immediate: false, reason: `unreachable: ${String(err)}` });
      return null;
    }
    if (upstream.statusCode < 400) return upstream;
    const text = await upstream.body.text().catch(() => '');
    const failure = adapter.classifyFailure(upstream.statusCode, text);
    if (failure.retry) {
      // A key refused for auth or balance, or rate-limited, is the key's fault; anything else the channel's.
      const scope = failure.keyUnusable || upstream.statusCode === 429 ? 'key' : 'channel';
      this.reportFailure({ channelId: channel.id, keyId: key.id, scope, immediate: failure.keyUnusable, reason: failure.reason });
      return null;
    }
    // The request itself was refused upstream: say so in the caller's shape, charge nothing.
    throw new InvalidInputError('upstream_rejected', upstreamMessage(text) ?? `The upstream refused the request (${upstream.statusCode})`);
  }

  /** Health bookkeeping stays off the request's path: the next attempt does not wait for it. */
  private reportFailure(report: UpstreamFailureReport): void {
    this.channels.reportFailure(report).catch((err: unknown) => this.logger.error(`health report for channel ${report.channelId}: ${String(err)}`));
  }

  /**
   * Streams upstream events to the client as they come — the raw bytes on a pass-through, else
   * each event's canonical chunks through the surface's encoder — and bills what was generated.
   */
  private async pipeStream(
    upstream: Dispatcher.ResponseData,
    res: ServerResponse,
    decoder: StreamDecoder,
    encoder: StreamEncoder | null,
    opts: { requestId: string; clientGone: AbortSignal; rename: { pattern: RegExp; to: string } | undefined; includeUsage: boolean; promptTokens: number },
    settle: (outcome: Outcome) => Promise<void>,
  ): Promise<void> {
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-request-id': opts.requestId });
    const { rename } = opts;
    const write = (events: UpstreamEvent[]) => {
      let out = '';
      for (const event of events) {
        if (encoder) for (const chunk of event.chunks) out += encoder.push(chunk);
        // The usage chunk the relay forced upstream stays hidden from a client that did not ask.
        else if (!event.usageOnly || opts.includeUsage) out += rename ? event.raw.replace(rename.pattern, () => rename.to) : event.raw;
      }
      if (out && !res.destroyed) res.write(out);
    };
    let status: ActualUsage['status'] = 'ok';
    try {
      upstream.body.setEncoding('utf8');
      for await (const chunk of upstream.body as AsyncIterable<string>) write(decoder.push(chunk));
      write(decoder.end());
      if (!decoder.done) status = 'upstream_failed';
    } catch {
      // Either the client left (we aborted the upstream) or the upstream broke mid-stream.
      status = opts.clientGone.aborted ? 'client_aborted' : 'upstream_failed';
      decoder.end();
    }
    // A stream that ended properly is billed as reported; a cut one for what was delivered.
    const reported = decoder.usage;
    const usage: TokenUsage =
      reported && decoder.done
        ? { ...reported, prompt: reported.prompt || opts.promptTokens }
        : { prompt: reported?.prompt || opts.promptTokens, completion: countTokens(decoder.delivered), cached: reported?.cached ?? 0, cacheWrite: reported?.cacheWrite ?? 0 };
    if (encoder && decoder.done && !res.destroyed) res.write(encoder.end(usage));
    await settle({ usage, status });
    if (!res.destroyed) res.end();
  }
}

const modelFieldPatterns = new Map<string, RegExp>();

/**
 * `"<field>": "<any name>"` in an event's JSON. The key's quotes are bare, so the same text
 * inside a string value (where quotes are escaped) never matches.
 */
function modelFieldPattern(field: string): RegExp {
  let pattern = modelFieldPatterns.get(field);
  if (!pattern) {
    pattern = new RegExp(`"${field}"\\s*:\\s*"(?:[^"\\\\]|\\\\.)*"`, 'g');
    modelFieldPatterns.set(field, pattern);
  }
  return pattern;
}

/** A pinned request goes to its channel only, and only when its key allows pinning. */
function pinned(channels: RelayChannel[], caller: RelayCaller): RelayChannel[] {
  if (caller.pinnedChannelId === undefined) return channels;
  if (!caller.allowChannelPin) throw new ForbiddenError('channel_pin_not_allowed', 'This API key may not choose its channel (X-Tiergate-Channel)');
  const channel = channels.find((c) => c.id === caller.pinnedChannelId);
  if (!channel) throw new UnavailableError('no_channel', `The channel ${caller.pinnedChannelId} is not serving this model right now`);
  return [channel];
}

/** The key's own limits first, then those of the caller's chain. */
function limitScopesOf(caller: RelayCaller, chainLimits: LimitScope[]): LimitScope[] {
  const rpm = caller.rpmLimit ?? null;
  const tpm = caller.tpmLimit ?? null;
  return caller.keyId && (rpm !== null || tpm !== null) ? [{ id: `key:${caller.keyId}`, rpm, tpm }, ...chainLimits] : chainLimits;
}

/** Says whose limit was reached; an ancestor's limit is named as the provider's, without its value. */
function rateLimitedError(refused: Exclude<Admission, { ok: true }>, callerAccountId: string): RateLimitedError {
  const { scope, unit } = refused;
  const limit = unit === 'requests' ? scope.rpm : scope.tpm;
  const who = scope.id.startsWith('key:')
    ? `this API key's limit of ${limit} ${unit} per minute`
    : scope.id === `account:${callerAccountId}`
      ? `your account's limit of ${limit} ${unit} per minute`
      : `the ${unit}-per-minute limit of your provider`;
  return new RateLimitedError('rate_limit_exceeded', `Rate limit reached: ${who}. Retry after ${refused.retryAfterSeconds}s.`, refused.retryAfterSeconds);
}

/** What a completion delivered, for counting when the upstream reported no usage. */
function completionTextOf(completion: ChatCompletion): string {
  return completion.choices.map((c) => (c.message?.content ?? '') + JSON.stringify(c.message?.tool_calls ?? '')).join('');
}

function sendAnswer(res: ServerResponse, requestId: string, payload: string): void {
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), 'x-request-id': requestId });
  res.end(payload);
}

interface EmbeddingsBody {
  model: string;
  input: string | string[] | number[] | number[][];
  [field: string]: unknown;
}

/** OpenAI's embeddings input: a string, strings, or token arrays — never empty. */
function parseEmbeddingsBody(raw: unknown): EmbeddingsBody {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new InvalidInputError('invalid_request', 'The body must be a JSON object');
  const body = raw as EmbeddingsBody;
  if (typeof body.model !== 'string' || body.model === '') throw new InvalidInputError('invalid_request', 'model is required');
  const input: unknown = body.input;
  const isTokens = (v: unknown) => Array.isArray(v) && v.length > 0 && v.every((t) => Number.isSafeInteger(t) && (t as number) >= 0);
  const valid =
    (typeof input === 'string' && input !== '') ||
    (Array.isArray(input) && input.length > 0 && input.length <= 2048 && (input.every((i) => typeof i === 'string' && i !== '') || isTokens(input) || input.every(isTokens)));
  if (!valid) throw new InvalidInputError('invalid_request', 'input must be a non-empty string, an array of up to 2048 non-empty strings, or token arrays');
  return body;
}

/** Tokens of an embeddings input: strings through the tokenizer, token arrays by length. */
function countEmbeddingInput(input: EmbeddingsBody['input']): number {
  if (typeof input === 'string') return countTokens(input);
  let total = 0;
  for (const item of input as unknown[]) total += typeof item === 'string' ? countTokens(item) : Array.isArray(item) ? item.length : 1;
  return total;
}

function upstreamMessage(text: string): string | undefined {
  const json = parseJson(text);
  const message = isRecord(json) && isRecord(json['error']) ? json['error']['message'] : undefined;
  return typeof message === 'string' ? message : undefined;
}

function actualOf(levels: LevelCharge[], usage: Usage, status: ActualUsage['status']): ActualUsage {
  return {
    levels: levels.map((l) => ({ credits: l.credits, tokens: l.tokens, requests: l.requests })),
    inputTokens: usage.inputTokens,
    cachedTokens: usage.cachedInputTokens,
    outputTokens: usage.outputTokens,
    status,
  };
}
