import type { ChatChunk, ChunkDelta, FinishReason, TokenUsage, ToolCall } from '../canonical.js';
import { isRecord, parseJson } from '../canonical.js';
import type { EncoderContext, StreamDecoder, StreamEncoder, UpstreamEvent } from '../provider.js';
import { SseReader } from '../sse.js';
import { FINISH_FROM_GEMINI, FINISH_TO_GEMINI } from './finish-reasons.js';
import { geminiCallPart, readCandidate } from './response.js';
import { usageFromGemini, usageToGemini } from './usage.js';

/**
 * Gemini `streamGenerateContent?alt=sse` → canonical chunks, one per event. Function calls come
 * whole (Gemini does not stream arguments), each its own tool-call index. The stream has no end
 * marker: it ended properly when a candidate carried a finishReason.
 */
export class GeminiStreamDecoder implements StreamDecoder {
  usage: TokenUsage | null = null;
  delivered = '';
  done = false;
  private readonly sse = new SseReader();
  private calls = 0;
  private id = 'gemini';

  constructor(private readonly model: string) {}

  push(text: string): UpstreamEvent[] {
    return this.sse.push(text).flatMap((e) => this.read(e.data, e.raw));
  }

  end(): UpstreamEvent[] {
    return this.sse.end().flatMap((e) => this.read(e.data, e.raw));
  }

  private read(data: string, raw: string): UpstreamEvent[] {
    const json = parseJson(data);
    if (!isRecord(json)) return [];
    if (typeof json['responseId'] === 'string') this.id = json['responseId'];
    const first = this.calls;
    const { text, thoughts, calls, finish } = readCandidate(json, () => this.calls++);
    if (isRecord(json['usageMetadata'])) this.usage = usageFromGemini(json['usageMetadata']);
    const delta: ChunkDelta = {};
    if (thoughts) delta.reasoning_content = thoughts;
    if (text) delta.content = text;
    if (calls.length > 0) delta.tool_calls = calls.map((c, i) => ({ index: first + i, id: c.id, type: 'function' as const, function: { name: c.function.name, arguments: c.function.arguments } }));
    this.calls = first + calls.length;
    this.delivered += thoughts + text + calls.map((c) => c.function.name + c.function.arguments).join('');
    let reason: FinishReason | null = null;
    if (finish) {
      this.done = true;
      reason = this.calls > 0 && finish === 'STOP' ? 'tool_calls' : (FINISH_FROM_GEMINI[finish] ?? 'stop');
    }
    const chunk: ChatChunk = { id: this.id, object: 'chat.completion.chunk', created: Math.floor(Date.now() / 1000), model: this.model, choices: [{ index: 0, delta, finish_reason: reason }] };
    return [{ raw, chunks: Object.keys(delta).length > 0 || reason ? [chunk] : [] }];
  }
}

/**
 * Canonical chunks → Gemini SSE: text as it comes; tool calls are gathered (Gemini sends each
 * call whole) and go out with the finish reason and usage in the last event.
 */
export class GeminiStreamEncoder implements StreamEncoder {
  private readonly calls = new Map<number, ToolCall>();
  private finish: FinishReason | null = null;
  private id = 'gemini';

  constructor(private readonly ctx: EncoderContext) {}

  push(chunk: ChatChunk): string {
    this.id = chunk.id;
    const choice = chunk.choices[0];
    if (!choice) return '';
    const d = choice.delta;
    for (const tc of d.tool_calls ?? []) {
      const call = this.calls.get(tc.index) ?? { id: tc.id ?? `call_${tc.index}`, type: 'function' as const, function: { name: '', arguments: '' } };
      if (tc.id) call.id = tc.id;
      if (tc.function.name) call.function.name += tc.function.name;
      if (tc.function.arguments) call.function.arguments += tc.function.arguments;
      this.calls.set(tc.index, call);
    }
    if (choice.finish_reason) this.finish = choice.finish_reason;
    const parts: Record<string, unknown>[] = [];
    if (d.reasoning_content) parts.push({ text: d.reasoning_content, thought: true });
    if (d.content) parts.push({ text: d.content });
    return parts.length > 0 ? this.event({ candidates: [{ content: { role: 'model', parts }, index: 0 }] }) : '';
  }

  end(usage: TokenUsage): string {
    const parts = [...this.calls.values()].map(geminiCallPart);
    return this.event({
      candidates: [{ content: { role: 'model', parts: parts.length > 0 ? parts : [{ text: '' }] }, finishReason: FINISH_TO_GEMINI[this.finish ?? 'stop'], index: 0 }],
      usageMetadata: usageToGemini(usage),
    });
  }

  private event(body: Record<string, unknown>): string {
    return `data: ${JSON.stringify({ ...body, modelVersion: this.ctx.model, responseId: this.id })}\r\n\r\n`;
  }
}
