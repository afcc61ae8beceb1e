import { ApiError } from './api-error.js';
import type { FetchLike } from './http-client.js';

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface ChatStreamOptions {
  apiKey: string;
  model: string;
  messages: ChatMessage[];
  signal?: AbortSignal;
  onDelta: (text: string) => void;
  baseUrl?: string;
  fetch?: FetchLike;
}

export interface ChatStreamResult {
  finishReason: string | null;
  usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number } | null;
}

/** Splits an SSE byte stream into `data:` payloads; pure state, fed chunk by chunk. */
export class SseDecoder {
  private buffer = '';

  push(chunk: string): string[] {
    this.buffer += chunk.replace(/\r\n/g, '\n');
    const out: string[] = [];
    let cut: number;
    while ((cut = this.buffer.indexOf('\n\n')) >= 0) {
      const event = this.buffer.slice(0, cut);
      this.buffer = this.buffer.slice(cut + 2);
      const data = event
        .split('\n')
        .filter((line) => line.startsWith('data:'))
        .map((line) => line.slice(5).replace(/^ /, ''))
        .join('\n');
      if (data) out.push(data);
    }
    return out;
  }
}

/**
 * One streamed chat completion through the OpenAI-compatible relay; each content delta is
 * handed to onDelta as it arrives. Aborting the signal stops the stream (the relay then bills
 * only what was generated).
 */
export async function streamChat(options: ChatStreamOptions): Promise<ChatStreamResult> {
  const fetchImpl = options.fetch ?? ((input: string, init?: RequestInit) => globalThis.fetch(input, init));
  const res = await fetchImpl(`${options.baseUrl ?? ''}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${options.apiKey}`, 'content-type': 'application/json', accept: 'text/event-stream' },
    body: JSON.stringify({ model: options.model, messages: options.messages, stream: true, stream_options: { include_usage: true } }),
    signal: options.signal,
  });
  if (!res.ok || !res.body) throw await ApiError.from(res);
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  const decoder = new SseDecoder();
  const result: ChatStreamResult = { finishReason: null, usage: null };
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    for (const data of decoder.push(value)) {
      if (data === '[DONE]') return result;
      const event = JSON.parse(data) as {
        choices?: { delta?: { content?: string | null }; finish_reason?: string | null }[];
        usage?: ChatStreamResult['usage'];
        error?: { message?: string };
      };
      if (event.error) throw new ApiError(502, 'upstream_error', event.error.message ?? 'The stream failed');
      const choice = event.choices?.[0];
      if (choice?.delta?.content) options.onDelta(choice.delta.content);
      if (choice?.finish_reason) result.finishReason = choice.finish_reason;
      if (event.usage) result.usage = event.usage;
    }
  }
  return result;
}

export interface RelayModel {
  id: string;
  owned_by?: string;
}

/** The models an API key may use (GET /v1/models). */
export async function listRelayModels(apiKey: string, baseUrl = '', fetchImpl?: FetchLike): Promise<RelayModel[]> {
  const f = fetchImpl ?? ((input: string, init?: RequestInit) => globalThis.fetch(input, init));
  const res = await f(`${baseUrl}/v1/models`, { headers: { authorization: `Bearer ${apiKey}` } });
  if (!res.ok) throw await ApiError.from(res);
  const body = (await res.json()) as { data: RelayModel[] };
  return body.data;
}
