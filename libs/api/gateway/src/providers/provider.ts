import type { ErrorBody } from '@tiergate/contracts';
import type { ChatChunk, ChatCompletion, ChatRequest, TokenUsage } from './canonical.js';

/** The three wire protocols the relay speaks, on either side. */
export type Protocol = 'openai' | 'anthropic' | 'gemini';

/** What a provider adapter answers about one upstream failure before the first byte. */
export interface UpstreamFailure {
  /** Try the next key or channel. */
  retry: boolean;
  /** The key itself is bad (auth, no balance): health disables it at once. */
  keyUnusable: boolean;
  reason: string;
}

/** One upstream stream event: its exact bytes (for pass-through) and what it means canonically. */
export interface UpstreamEvent {
  raw: string;
  chunks: ChatChunk[];
  /** A usage-only event (OpenAI's forced usage chunk): hidden from a client that did not ask. */
  usageOnly?: boolean;
}

/**
 * Reads one upstream stream with per-stream state: bytes in, whole events out, as they come.
 * Notes the usage reported, the text delivered (to bill a cut-off stream) and whether the stream
 * reached its proper end.
 */
export interface StreamDecoder {
  push(text: string): UpstreamEvent[];
  /** Whatever is left when the upstream ends; a cut-off last event is dropped. */
  end(): UpstreamEvent[];
  readonly usage: TokenUsage | null;
  readonly delivered: string;
  readonly done: boolean;
}

/** A protocol's wire format as an upstream: pure functions from canonical to wire and back. */
export interface WireProtocol {
  readonly protocol: Protocol;
  /** Canonical request → this protocol's request body for `upstreamModel`. */
  buildRequest(req: ChatRequest, upstreamModel: string, stream: boolean): Record<string, unknown>;
  /** Same protocol on both sides: the client's own body, model mapped, usage reporting forced. */
  passthroughRequest(native: Record<string, unknown>, upstreamModel: string, stream: boolean): Record<string, unknown>;
  /** A non-streamed answer → canonical completion and the usage it reports (null: none). */
  parseResponse(json: unknown, model: string): { completion: ChatCompletion; usage: TokenUsage | null };
  /**
   * `chunks: false` when the caller forwards the raw bytes and needs from the events only what
   * billing needs (usage, end, delivered text); a decoder may then skip building chunks.
   */
  streamDecoder(model: string, opts?: { chunks?: boolean }): StreamDecoder;
  /** The field that names the model in answers and stream events, renamed to the public name on pass-through. */
  readonly modelField: string;
}

/**
 * One provider behind one pure interface: where its chat endpoint is, how to authenticate, its
 * wire protocol and how to read its failures. Everything here is pure; the relay does the I/O.
 */
export interface ProviderAdapter {
  readonly id: string;
  readonly protocol: Protocol;
  readonly wire: WireProtocol;
  chatUrl(baseUrl: string, upstreamModel: string, stream: boolean): string;
  authHeaders(apiKey: string): Record<string, string>;
  classifyFailure(status: number, body: string): UpstreamFailure;
  /** A cheap authenticated GET (the model list) that tells whether a key and its upstream work again. */
  probe(baseUrl: string, apiKey: string): { url: string; headers: Record<string, string> };
  /** Where OpenAI-shaped embeddings go; absent when the provider has none the relay speaks. */
  embeddingsUrl?(baseUrl: string, upstreamModel: string): string;
}

/** An inbound request, read by its surface: the canonical form and the client's own body. */
export interface InboundRequest {
  model: string;
  stream: boolean;
  /** The client asked for a usage event in the stream (OpenAI's `stream_options.include_usage`). */
  includeUsage: boolean;
  canonical: ChatRequest;
  native: Record<string, unknown>;
}

/** Turns canonical stream chunks into a surface's own events, with per-stream state. */
export interface StreamEncoder {
  push(chunk: ChatChunk): string;
  /** The closing events, once the upstream ended properly. */
  end(usage: TokenUsage): string;
}

export interface EncoderContext {
  model: string;
  includeUsage: boolean;
  /** The relay's own count of the prompt, for surfaces that announce it before the upstream reports it. */
  promptTokens: number;
}

/**
 * An inbound surface (what a client speaks): its request into canonical form, canonical answers
 * and streams into its own shape, errors in its own shape.
 */
export interface Surface {
  /** The wire protocol on which a same-protocol upstream is passed through; null: always converted. */
  readonly protocol: Protocol | null;
  parse(raw: unknown, route: { model?: string; stream?: boolean }): InboundRequest;
  renderResponse(completion: ChatCompletion, usage: TokenUsage, model: string): unknown;
  streamEncoder(ctx: EncoderContext): StreamEncoder;
  errorBody(status: number, body: ErrorBody): unknown;
}

export function joinUrl(baseUrl: string, path: string): string {
  return baseUrl.endsWith('/') ? baseUrl.slice(0, -1) + path : baseUrl + path;
}
