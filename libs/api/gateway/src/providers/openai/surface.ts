import { InvalidInputError, toOpenAiShape } from '@tiergate/api-core';
import { type ChatCompletion, type ChatChunk, type ChatRequest, isRecord, openAiUsage, type TokenUsage } from '../canonical.js';
import type { EncoderContext, StreamEncoder, Surface } from '../provider.js';
import { parseChatRequest } from './request.js';
import { OpenAiChatStreamEncoder } from './stream.js';

/** `POST /v1/chat/completions`: the canonical format itself. */
export const openAiChatSurface: Surface = {
  protocol: 'openai',
  parse(raw) {
    const canonical = parseChatRequest(raw);
    return { model: canonical.model, stream: canonical.stream === true, includeUsage: canonical.stream_options?.include_usage === true, canonical, native: canonical };
  },
  renderResponse: (completion, usage, model) => ({ ...completion, model, usage: openAiUsage(usage) }),
  streamEncoder: (ctx) => new OpenAiChatStreamEncoder(ctx),
  errorBody: toOpenAiShape,
};

/** OpenAI's legacy default when `max_tokens` is absent. */
const LEGACY_DEFAULT_MAX_TOKENS = 16;

function bad(message: string): never {
  throw new InvalidInputError('invalid_request', message);
}

/** A legacy prompt becomes one user message; several prompts (n answers) are refused. */
function parseCompletionsRequest(raw: unknown): ChatRequest {
  if (!isRecord(raw)) bad('The body must be a JSON object');
  if (typeof raw['model'] !== 'string' || raw['model'] === '') bad('model is required');
  const prompt = Array.isArray(raw['prompt']) && raw['prompt'].length === 1 ? raw['prompt'][0] : raw['prompt'];
  if (typeof prompt !== 'string') bad('prompt must be a string (token arrays and several prompts are not supported)');
  if ((raw['n'] ?? 1) !== 1 || (raw['best_of'] ?? 1) !== 1) bad('n and best_of other than 1 are not supported');
  const maxTokens = raw['max_tokens'] ?? LEGACY_DEFAULT_MAX_TOKENS;
  if (!Number.isSafeInteger(maxTokens) || (maxTokens as number) < 1) bad('max_tokens must be a positive integer');
  const options = isRecord(raw['stream_options']) ? raw['stream_options'] : undefined;
  return {
    model: raw['model'],
    messages: [{ role: 'user', content: prompt }],
    max_tokens: maxTokens as number,
    ...(raw['stream'] === true && { stream: true }),
    ...(options && { stream_options: { include_usage: options['include_usage'] === true } }),
    ...(typeof raw['temperature'] === 'number' && { temperature: raw['temperature'] }),
    ...(typeof raw['top_p'] === 'number' && { top_p: raw['top_p'] }),
    ...((typeof raw['stop'] === 'string' || Array.isArray(raw['stop'])) && { stop: raw['stop'] as string | string[] }),
    ...(typeof raw['user'] === 'string' && { user: raw['user'] }),
  };
}

function textCompletion(completion: ChatCompletion, usage: TokenUsage, model: string): Record<string, unknown> {
  const choice = completion.choices[0];
  return {
    id: completion.id.startsWith('cmpl-') ? completion.id : `cmpl-${completion.id}`,
    object: 'text_completion',
    created: completion.created,
    model,
    choices: [{ text: choice?.message.content ?? '', index: 0, logprobs: null, finish_reason: choice?.finish_reason === 'length' ? 'length' : 'stop' }],
    usage: openAiUsage(usage),
  };
}

class CompletionsStreamEncoder implements StreamEncoder {
  private id = '';
  private created = 0;

  constructor(private readonly ctx: EncoderContext) {}

  push(chunk: ChatChunk): string {
    this.id = chunk.id.startsWith('cmpl-') ? chunk.id : `cmpl-${chunk.id}`;
    this.created = chunk.created;
    const choice = chunk.choices[0];
    if (!choice || (!choice.delta.content && !choice.finish_reason)) return '';
    const finish = choice.finish_reason ? (choice.finish_reason === 'length' ? 'length' : 'stop') : null;
    return `data: ${JSON.stringify({ id: this.id, object: 'text_completion', created: this.created, model: this.ctx.model, choices: [{ text: choice.delta.content ?? '', index: 0, logprobs: null, finish_reason: finish }] })}\n\n`;
  }

  end(usage: TokenUsage): string {
    const tail = this.ctx.includeUsage ? `data: ${JSON.stringify({ id: this.id, object: 'text_completion', created: this.created, model: this.ctx.model, choices: [], usage: openAiUsage(usage) })}\n\n` : '';
    return `${tail}data: [DONE]\n\n`;
  }
}

/** `POST /v1/completions` (legacy): always converted through chat, whatever the upstream. */
export const openAiCompletionsSurface: Surface = {
  protocol: null,
  parse(raw) {
    const canonical = parseCompletionsRequest(raw);
    return { model: canonical.model, stream: canonical.stream === true, includeUsage: canonical.stream_options?.include_usage === true, canonical, native: canonical };
  },
  renderResponse: textCompletion,
  streamEncoder: (ctx) => new CompletionsStreamEncoder(ctx),
  errorBody: toOpenAiShape,
};
