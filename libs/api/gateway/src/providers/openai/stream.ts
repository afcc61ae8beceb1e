import type { ChatChunk, TokenUsage } from '../canonical.js';
import { isRecord } from '../canonical.js';
import type { EncoderContext, StreamDecoder, StreamEncoder, UpstreamEvent } from '../provider.js';
import { SseReader } from '../sse.js';
import { usageFromOpenAi } from './usage.js';

/**
 * An OpenAI chat-completions SSE stream, event by event: its chunks are canonical already. Notes
 * the usage reported, what was delivered (content, reasoning, tool names and arguments) and
 * whether `[DONE]` arrived. The usage-only chunk is flagged: the relay forces it upstream.
 */
export class OpenAiStreamDecoder implements StreamDecoder {
  usage: TokenUsage | null = null;
  delivered = '';
  done = false;
  finishReason: string | null = null;
  private readonly sse = new SseReader();

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
    let json: unknown;
    try {
      json = JSON.parse(data);
    } catch {
      // A cut-off last event is incomplete JSON: the client never gets half an event.
      return last ? [] : [{ raw, chunks: [] }];
    }
    if (!isRecord(json)) return [{ raw, chunks: [] }];
    const chunk = json as unknown as ChatChunk;
    const choices = Array.isArray(chunk.choices) ? chunk.choices : [];
    for (const choice of choices) {
      const d = choice.delta ?? {};
      if (typeof d.content === 'string') this.delivered += d.content;
      if (typeof d.reasoning_content === 'string') this.delivered += d.reasoning_content;
      for (const call of d.tool_calls ?? []) this.delivered += (call.function?.name ?? '') + (call.function?.arguments ?? '');
      if (choice.finish_reason) this.finishReason = choice.finish_reason;
    }
    const usage = usageFromOpenAi(chunk.usage);
    if (usage) this.usage = usage;
    return [{ raw, chunks: choices.length > 0 ? [chunk] : [], usageOnly: usage !== null && choices.length === 0 }];
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
