import { Injectable, Logger } from '@nestjs/common';
import { ForbiddenError, InvalidInputError, NotFoundError, RateLimitedError, UnavailableError } from '@tiergate/api-core';
import { type ActualUsage, LedgerDriver, type LevelCharge } from '@tiergate/api-ledger';
import type { Usage } from '@tiergate/api-pricing';
import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { Agent, type Dispatcher, request } from 'undici';
import type { TokenUsage } from '../providers/canonical.js';
import type { StreamDecoder, StreamEncoder, Surface, UpstreamEvent } from '../providers/provider.js';
import { adapterFor } from '../providers/registry.js';
import { countChatPromptTokens, countTokens } from '../tokens/token-counter.js';
import { ChainQuoter } from './chain-quoter.js';
import { type RelayChannel, RelayChannelSource, attemptOrder } from './relay-channel.js';

/** Who is calling the relay, as established from its API key. */
export interface RelayCaller {
  accountId: string;
  keyId?: string;
  /** Models the key may use; empty = any the account may use. */
  models: string[];
}

/** Output cap used for the reservation when the request sets none. */
const DEFAULT_MAX_OUTPUT_TOKENS = 4096;
/** A reservation outlives any sane request; the reaper finishes it if the process dies. */
const RESERVATION_TTL_MS = 15 * 60_000;

type Outcome = { usage: TokenUsage; status: ActualUsage['status'] };

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
 * protocol → caller's chain (cached) → status and model access → channels → price every level →
 * reserve → per attempt: same protocol as the upstream → pass the body through (model mapped),
 * else convert through the canonical chat format → call upstream (next key/channel on 429, 5xx,
 * auth and connect errors, never after the first byte) → answer or stream back, converted chunk
 * by chunk, while counting → settle with the reported usage (counted when none) — or release.
 */
@Injectable()
export class RelayService {
  private readonly logger = new Logger('Relay');
  private readonly dispatcher: Dispatcher = new Agent({ connections: 512, pipelining: 1, keepAliveTimeout: 60_000, headersTimeout: 120_000, bodyTimeout: 300_000 });

  constructor(
    private readonly quoter: ChainQuoter,
    private readonly ledger: LedgerDriver,
    private readonly channels: RelayChannelSource,
  ) {}

  async relay(call: RelayCall): Promise<void> {
    const { surface, caller, res, clientGone } = call;
    const requestId = call.requestId ?? randomUUID();
    const inbound = surface.parse(call.body, call.route ?? {});
    const { model, stream } = inbound;
    if (caller.models.length > 0 && !caller.models.includes(model)) {
      throw new ForbiddenError('model_not_allowed', `This API key may not use the model "${model}"`);
    }
    const chain = await this.quoter.chainOf(caller.accountId);
    if (chain.blocked) throw new ForbiddenError('account_suspended', 'This account, or one above it, is suspended');
    if (!ChainQuoter.isPriced(chain, model)) throw new NotFoundError('model_not_found', `The model "${model}" does not exist or you do not have access to it`);
    const candidates = (await this.channels.channelsFor(model)).filter((c) => call.provider === undefined || c.provider === call.provider);
    const attempts = attemptOrder(candidates);
    if (attempts.length === 0) throw new UnavailableError('no_channel', `No upstream is serving "${model}" right now`);

    const promptTokens = countChatPromptTokens(inbound.canonical.messages, inbound.canonical.tools);
    const maxOutput = inbound.canonical.max_completion_tokens ?? inbound.canonical.max_tokens ?? DEFAULT_MAX_OUTPUT_TOKENS;
    const estimate: Usage = { inputTokens: BigInt(promptTokens), cachedInputTokens: 0n, outputTokens: BigInt(maxOutput) };
    const reserved = this.quoter.levels(chain, model, estimate, attempts[0]!.channel.costMultiplierBps);
    const verdict = await this.ledger.reserve({
      requestId,
      levels: reserved,
      deadlineAt: Date.now() + RESERVATION_TTL_MS,
      meta: { accountId: caller.accountId, apiKeyId: caller.keyId, model },
    });
    if (!verdict.ok) {
      // Which tier ran out, never whose balance: the caller's own, or one above it.
      const who = verdict.levelIndex === 0 ? 'your account' : 'the account of your provider';
      throw new RateLimitedError('insufficient_quota', `Quota exceeded: ${who} has no ${verdict.unit.toLowerCase()} left for this request`);
    }

    let settled = false;
    const finish = async (channel: RelayChannel, outcome: Outcome) => {
      settled = true;
      const usage: Usage = {
        inputTokens: BigInt(outcome.usage.prompt),
        cachedInputTokens: BigInt(Math.min(outcome.usage.cached, outcome.usage.prompt)),
        outputTokens: BigInt(outcome.usage.completion),
      };
      const actual = this.quoter.levels(chain, model, usage, channel.costMultiplierBps);
      await this.ledger.settle(requestId, actualOf(actual, usage, outcome.status));
    };
    try {
      for (const { channel, key } of attempts) {
        const adapter = adapterFor(channel.provider);
        if (!adapter) continue;
        const upstreamModel = channel.modelMapping[model] ?? model;
        const passthrough = adapter.protocol === surface.protocol;
        const upstreamBody = passthrough ? adapter.wire.passthroughRequest(inbound.native, upstreamModel, stream) : adapter.wire.buildRequest(inbound.canonical, upstreamModel, stream);
        let upstream: Dispatcher.ResponseData;
        try {
          upstream = await request(adapter.chatUrl(channel.baseUrl, upstreamModel, stream), {
            method: 'POST',
            dispatcher: this.dispatcher,
            headers: { 'content-type': 'application/json', ...(passthrough && call.passHeaders), ...adapter.authHeaders(key.key) },
            body: JSON.stringify(upstreamBody),
            signal: clientGone,
          });
        } catch (err) {
          if (clientGone.aborted) throw err;
          this.logger.warn(`channel ${channel.id}: ${String(err)}; trying the next`);
          continue;
        }
        if (upstream.statusCode >= 400) {
          const text = await upstream.body.text().catch(() => '');
          const failure = adapter.classifyFailure(upstream.statusCode, text);
          if (failure.keyUnusable) await this.channels.reportKeyFailure(channel.id, key.id, failure.reason).catch(() => undefined);
          if (failure.retry) continue;
          // The request itself was refused upstream: say so in the caller's shape, charge nothing.
          throw new InvalidInputError('upstream_rejected', upstreamMessage(text) ?? `The upstream refused the request (${upstream.statusCode})`);
        }
        if (!stream) {
          const json: unknown = await upstream.body.json();
          const parsed = adapter.wire.parseResponse(json, model);
          const completionText = parsed.completion.choices.map((c) => (c.message?.content ?? '') + JSON.stringify(c.message?.tool_calls ?? '')).join('');
          const usage = parsed.usage ?? { prompt: promptTokens, completion: countTokens(completionText), cached: 0, cacheWrite: 0 };
          await finish(channel, { usage, status: 'ok' });
          const answer = passthrough ? { ...(json as Record<string, unknown>), [adapter.wire.modelField]: model } : surface.renderResponse(parsed.completion, usage, model);
          const payload = JSON.stringify(answer);
          res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), 'x-request-id': requestId });
          res.end(payload);
          return;
        }
        // Clients see the public model name, not the upstream one it maps to.
        const field = JSON.stringify(adapter.wire.modelField);
        const rename = upstreamModel === model ? undefined : ([`${field}:${JSON.stringify(upstreamModel)}`, `${field}:${JSON.stringify(model)}`] as const);
        const encoder = passthrough ? null : surface.streamEncoder({ model, includeUsage: inbound.includeUsage, promptTokens });
        await this.pipeStream(upstream, res, adapter.wire.streamDecoder(model), encoder, { requestId, clientGone, rename, includeUsage: inbound.includeUsage, promptTokens }, (outcome) => finish(channel, outcome));
        return;
      }
      throw new UnavailableError('upstream_unavailable', 'Every upstream for this model failed; try again shortly');
    } finally {
      if (!settled) await this.ledger.release(requestId).catch((err: unknown) => this.logger.error(`release ${requestId}: ${String(err)}`));
    }
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
    opts: { requestId: string; clientGone: AbortSignal; rename: readonly [string, string] | undefined; includeUsage: boolean; promptTokens: number },
    settle: (outcome: Outcome) => Promise<void>,
  ): Promise<void> {
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-request-id': opts.requestId });
    const write = (events: UpstreamEvent[]) => {
      let out = '';
      for (const event of events) {
        if (encoder) for (const chunk of event.chunks) out += encoder.push(chunk);
        // The usage chunk the relay forced upstream stays hidden from a client that did not ask.
        else if (!event.usageOnly || opts.includeUsage) out += opts.rename ? event.raw.replaceAll(opts.rename[0], opts.rename[1]) : event.raw;
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

function upstreamMessage(text: string): string | undefined {
  try {
    const message = (JSON.parse(text) as { error?: { message?: unknown } }).error?.message;
    return typeof message === 'string' ? message : undefined;
  } catch {
    return undefined;
  }
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
