import type { ChatChunk, TokenUsage } from '../canonical.js';
import { isRecord, parseJson } from '../canonical.js';
import type { EncoderContext, StreamDecoder, StreamEncoder, UpstreamEvent } from '../provider.js';
import { SseReader } from '../sse.js';
import { UnreadEvents } from '../unread-events.js';
import { usageFromOpenAi } from './usage.js';

/** Whether an event's JSON may carry a usage object (every chunk has `"usage":null` when usage is asked for). */
const MAY_CARRY_USAGE = /"usage"\s*:\s*\{/;

/**
 * An OpenAI chat-completions SSE stream, event by event: its chunks are canonical already. Notes
 * the usage reported, what was delivered (content, reasoning, tool names and arguments) and
 * whether `[DONE]` arrived. The usage-only chunk is flagged: the relay forces it upstream.
 *
 * With `chunks: false` (a pass-through: the relay forwards the raw bytes) an event is parsed only
 * when it may carry usage or ends the stream; the others are kept and read for their delivered
 * text only if someone asks for it — billing a cut stream. A long answer is hundreds of events.
 */
export class OpenAiStreamDecoder implements StreamDecoder {
  usage: TokenUsage | null = null;
  done = false;
  private readonly sse = new SseReader();
  private readonly withChunks: boolean;
  private deliveredSoFar = '';
  /** Events whose delivered text is not read yet (pass-through only). */
  private readonly unread = new UnreadEvents((json) => this.deliver(json as unknown as ChatChunk));

  constructor(opts: { chunks?: boolean } = {}) {
    this.withChunks = opts.chunks ?? true;
  }

  get delivered(): string {
    this.unread.flush();
    return this.deliveredSoFar;
  }

  push(text: string): UpstreamEvent[] {
    return this.sse.push(text).flatMap((e) => this.read(e.data, e.raw, false));
  }

  end(): UpstreamEvent[] {
    return this.sse.end().flatMap((e) => this.read(e.data, e.raw, true));
  }

  private read(data: string, raw: string, last: boolean): UpstreamEvent[] {
    if (data.trim() === '[DONE]') {
      this.done = true;
      return [{ raw, chunks: [] }];
    }
    if (!this.withChunks && !last && !MAY_CARRY_USAGE.test(data)) {
      this.unread.push(data);
      return [{ raw, chunks: [] }];
    }
    const json = parseJson(data);
    // A cut-off last event is incomplete JSON: the client never gets half an event.
    if (json === undefined) return last ? [] : [{ raw, chunks: [] }];
    if (!isRecord(json)) return [{ raw, chunks: [] }];
    const chunk = json as unknown as ChatChunk;
    const choices = Array.isArray(chunk.choices) ? chunk.choices : [];
    // Kept in stream order with the unread ones, so the delivered text reads as the client got it.
    if (this.withChunks) this.deliver(chunk);
    else this.unread.push(data);
    const usage = usageFromOpenAi(chunk.usage);
    if (usage) this.usage = usage;
    return [{ raw, chunks: this.withChunks && choices.length > 0 ? [chunk] : [], usageOnly: usage !== null && choices.length === 0 }];
  }

  private deliver(chunk: ChatChunk): void {
    for (const choice of Array.isArray(chunk.choices) ? chunk.choices : []) {
      const d = choice.delta ?? {};
      if (typeof d.content === 'string') this.deliveredSoFar += d.content;
      if (typeof d.reasoning_content === 'string') this.deliveredSoFar += d.reasoning_content;
      for (const call of d.tool_calls ?? []) this.deliveredSoFar += (call.function?.name ?? '') + (call.function?.arguments ?? '');
    }
  }
}

/** Canonical chunks → OpenAI chat SSE (for clients of the OpenAI surface on a converted upstream). */
export class OpenAiChatStreamEncoder implements StreamEncoder {
  private id = '';
  private created = 0;

  constructor(private readonly ctx: EncoderContext) {}

  push(chunk: ChatChunk): string {
    this.id = chunk.id;
    this.created = chunk.created;
    const { usage: _usage, ...rest } = chunk;
    return `data: ${JSON.stringify({ ...rest, model: this.ctx.model })}\n\n`;
  }

  end(usage: TokenUsage): string {
    const tail = this.ctx.includeUsage
      ? `data: ${JSON.stringify({ id: this.id, object: 'chat.completion.chunk', created: this.created, model: this.ctx.model, choices: [], usage: { prompt_tokens: usage.prompt, completion_tokens: usage.completion, total_tokens: usage.prompt + usage.completion, ...(usage.cached > 0 && { prompt_tokens_details: { cached_tokens: usage.cached } }) } })}\n\n`
      : '';
    return `${tail}data: [DONE]\n\n`;
  }
}
