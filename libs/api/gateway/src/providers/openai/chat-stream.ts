/**
 * Reads an OpenAI chat-completions SSE stream as it passes through, with per-stream state:
 * forwards complete events, notes the usage the upstream reported, keeps what was delivered
 * (so an aborted stream can be billed for it), and drops the usage-only chunk when the client
 * did not ask for usage (the relay forces it upstream). Pure: bytes in, bytes out.
 */
export interface ReportedUsage {
  promptTokens: number;
  completionTokens: number;
  cachedTokens: number;
}

export class OpenAiChatStreamTap {
  usage: ReportedUsage | null = null;
  /** Content and tool-call argument text delivered to the client so far. */
  delivered = '';
  finishReason: string | null = null;
  sawDone = false;
  private pending = '';

  constructor(private readonly clientWantsUsage: boolean) {}

  /** Feeds upstream text; returns what to send to the client now (whole events only). */
  push(chunk: string): string {
    this.pending += chunk;
    let out = '';
    let start = 0;
    for (;;) {
      const end = this.pending.indexOf('\n\n', start);
      if (end === -1) break;
      const event = this.pending.slice(start, end + 2);
      start = end + 2;
      if (this.keep(event)) out += event;
    }
    this.pending = this.pending.slice(start);
    return out;
  }

  /** Whatever is left when the upstream ends (a last event without its blank line). */
  end(): string {
    const rest = this.pending;
    this.pending = '';
    if (rest.trim() === '') return '';
    // A cut-off last event is incomplete JSON: the client never gets half an event.
    return this.keep(rest, true) ? rest + '\n\n' : '';
  }

  private keep(event: string, dropUnparsable = false): boolean {
    const dataAt = event.indexOf('data:');
    if (dataAt === -1) return true;
    const data = event.slice(dataAt + 5).trim();
    if (data === '[DONE]') {
      this.sawDone = true;
      return true;
    }
    let json: StreamChunk;
    try {
      json = JSON.parse(data) as StreamChunk;
    } catch {
      return !dropUnparsable;
    }
    for (const choice of json.choices ?? []) {
      const delta = choice.delta;
      if (delta) {
        if (typeof delta.content === 'string') this.delivered += delta.content;
        if (typeof delta.reasoning_content === 'string') this.delivered += delta.reasoning_content;
        for (const call of delta.tool_calls ?? []) {
          if (typeof call.function?.name === 'string') this.delivered += call.function.name;
          if (typeof call.function?.arguments === 'string') this.delivered += call.function.arguments;
        }
      }
      if (choice.finish_reason) this.finishReason = choice.finish_reason;
    }
    if (json.usage) {
      this.usage = {
        promptTokens: json.usage.prompt_tokens ?? 0,
        completionTokens: json.usage.completion_tokens ?? 0,
        cachedTokens: json.usage.prompt_tokens_details?.cached_tokens ?? 0,
      };
      // The usage-only chunk we forced: the client did not ask for it.
      if (!this.clientWantsUsage && (json.choices?.length ?? 0) === 0) return false;
    }
    return true;
  }
}

interface StreamChunk {
  choices?: {
    delta?: { content?: unknown; reasoning_content?: unknown; tool_calls?: { function?: { name?: unknown; arguments?: unknown } }[] };
    finish_reason?: string | null;
  }[];
  usage?: { prompt_tokens?: number; completion_tokens?: number; prompt_tokens_details?: { cached_tokens?: number } } | null;
}
