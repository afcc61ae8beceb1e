import { randomBytes } from 'node:crypto';
import type { ChatChunk, ChunkDelta, FinishReason, TokenUsage } from '../canonical.js';
import { isRecord, parseJson } from '../canonical.js';
import type { EncoderContext, StreamDecoder, StreamEncoder, UpstreamEvent } from '../provider.js';
import { type SseEvent, SseReader, sseData } from '../sse.js';
import { UnreadEvents } from '../unread-events.js';
import { FINISH_FROM_ANTHROPIC, FINISH_TO_ANTHROPIC } from './finish-reasons.js';
import { usageFromAnthropic, usageToAnthropic } from './usage.js';

/**
 * Anthropic Messages SSE → canonical chunks, event by event. Content blocks are numbered across
 * text and tool_use; tool_use blocks become tool calls numbered among themselves, their
 * `input_json_delta`s argument deltas; thinking becomes reasoning_content.
 *
 * With `chunks: false` (a pass-through: the relay forwards the raw bytes) content events, by far
 * the most, are not parsed as they pass: they are kept and read for their delivered text only if
 * someone asks for it — billing a cut stream. Usage and the end are read as they come.
 */
export class AnthropicStreamDecoder implements StreamDecoder {
  usage: TokenUsage | null = null;
  done = false;
  private readonly sse = new SseReader();
  private readonly withChunks: boolean;
  private id = 'msg';
  private rawUsage: Record<string, unknown> = {};
  private readonly toolOfBlock = new Map<number, number>();
  private deliveredSoFar = '';
  /** Content events not read yet (pass-through only). */
  private readonly unread = new UnreadEvents((json) => this.content(json));

  constructor(
    private readonly model: string,
    opts: { chunks?: boolean } = {},
  ) {
    this.withChunks = opts.chunks ?? true;
  }

  get delivered(): string {
    this.unread.flush();
    return this.deliveredSoFar;
  }

  push(text: string): UpstreamEvent[] {
    return this.sse.push(text).flatMap((e) => this.read(e, false));
  }

  end(): UpstreamEvent[] {
    return this.sse.end().flatMap((e) => this.read(e, true));
  }

  private chunk(delta: ChunkDelta, finish: FinishReason | null = null): ChatChunk {
    return { id: this.id, object: 'chat.completion.chunk', created: Math.floor(Date.now() / 1000), model: this.model, choices: [{ index: 0, delta, finish_reason: finish }] };
  }

  private read({ event, data, raw }: SseEvent, last: boolean): UpstreamEvent[] {
    // A whole event (the reader only hands out finished ones) passes through as it came; only a
    // cut-off last one must be checked.
    if (!this.withChunks && !last) {
      if (event === 'content_block_start' || event === 'content_block_delta') {
        this.unread.push(data);
        return [{ raw, chunks: [] }];
      }
      if (event === 'content_block_stop' || event === 'ping') return [{ raw, chunks: [] }];
    }
    const json = parseJson(data);
    if (!isRecord(json)) return []; // a cut-off or foreign event: never half an event to the client
    const chunks: ChatChunk[] = [];
    const delta = isRecord(json['delta']) ? json['delta'] : {};
    switch (json['type']) {
      case 'message_start': {
        const message = isRecord(json['message']) ? json['message'] : {};
        if (typeof message['id'] === 'string') this.id = message['id'];
        if (isRecord(message['usage'])) this.rawUsage = { ...message['usage'] };
        this.usage = usageFromAnthropic(this.rawUsage);
        if (this.withChunks) chunks.push(this.chunk({ role: 'assistant', content: '' }));
        break;
      }
      case 'content_block_start':
      case 'content_block_delta':
        // Kept in stream order with the unread ones, so the delivered text reads as the client got it.
        if (this.withChunks) chunks.push(...this.content(json));
        else this.unread.push(data);
        break;
      case 'message_delta': {
        if (isRecord(json['usage'])) {
          // Later usage figures are cumulative: they replace the ones message_start gave.
          for (const [k, v] of Object.entries(json['usage'])) if (typeof v === 'number') this.rawUsage[k] = v;
          this.usage = usageFromAnthropic(this.rawUsage);
        }
        const stop = typeof delta['stop_reason'] === 'string' ? delta['stop_reason'] : null;
        if (stop && this.withChunks) chunks.push(this.chunk({}, FINISH_FROM_ANTHROPIC[stop] ?? 'stop'));
        break;
      }
      case 'message_stop':
        this.done = true;
        break;
      default:
        break; // ping, error, content_block_stop
    }
    return [{ raw, chunks }];
  }

  /** A content_block_start or _delta: what it delivered, and its canonical chunks. */
  private content(json: Record<string, unknown>): ChatChunk[] {
    const block = isRecord(json['content_block']) ? json['content_block'] : {};
    const delta = isRecord(json['delta']) ? json['delta'] : {};
    const index = typeof json['index'] === 'number' ? json['index'] : 0;
    if (json['type'] === 'content_block_start') {
      if (block['type'] === 'tool_use') {
        const tool = this.toolOfBlock.size;
        this.toolOfBlock.set(index, tool);
        const name = String(block['name']);
        this.deliveredSoFar += name;
        return [this.chunk({ tool_calls: [{ index: tool, id: String(block['id']), type: 'function', function: { name, arguments: '' } }] })];
      }
      if (block['type'] === 'text' && typeof block['text'] === 'string' && block['text'] !== '') {
        this.deliveredSoFar += block['text'];
        return [this.chunk({ content: block['text'] })];
      }
      return [];
    }
    if (delta['type'] === 'text_delta' && typeof delta['text'] === 'string') {
      this.deliveredSoFar += delta['text'];
      return [this.chunk({ content: delta['text'] })];
    }
    if (delta['type'] === 'input_json_delta' && typeof delta['partial_json'] === 'string' && this.toolOfBlock.has(index)) {
      this.deliveredSoFar += delta['partial_json'];
      return delta['partial_json'] !== '' ? [this.chunk({ tool_calls: [{ index: this.toolOfBlock.get(index)!, function: { arguments: delta['partial_json'] } }] })] : [];
    }
    if (delta['type'] === 'thinking_delta' && typeof delta['thinking'] === 'string') {
      this.deliveredSoFar += delta['thinking'];
      return [this.chunk({ reasoning_content: delta['thinking'] })];
    }
    return [];
  }
}

type OpenBlock = { kind: 'text' | 'thinking' } | { kind: 'tool'; call: number };

/**
 * Canonical chunks → Anthropic Messages SSE, as they come: message_start on the first chunk,
 * one content block per run of text, thinking or a tool call, message_delta with the stop reason
 * and final usage at the end.
 */
export class AnthropicStreamEncoder implements StreamEncoder {
  private started = false;
  private open: OpenBlock | null = null;
  private index = -1;
  private finish: FinishReason | null = null;
  private readonly id = `msg_${randomBytes(12).toString('hex')}`;

  constructor(private readonly ctx: EncoderContext) {}

  push(chunk: ChatChunk): string {
    let out = this.start();
    const choice = chunk.choices[0];
    if (!choice) return out;
    const d = choice.delta;
    if (d.reasoning_content) out += this.ensure({ kind: 'thinking' }) + this.delta({ type: 'thinking_delta', thinking: d.reasoning_content });
    if (d.content) out += this.ensure({ kind: 'text' }) + this.delta({ type: 'text_delta', text: d.content });
    for (const call of d.tool_calls ?? []) {
      if (this.open?.kind !== 'tool' || this.open.call !== call.index) {
        out += this.close();
        this.index++;
        this.open = { kind: 'tool', call: call.index };
        const block = { type: 'tool_use', id: call.id ?? `toolu_${randomBytes(12).toString('hex')}`, name: call.function.name ?? '', input: {} };
        out += sseData({ type: 'content_block_start', index: this.index, content_block: block }, 'content_block_start');
      }
      if (call.function.arguments) out += this.delta({ type: 'input_json_delta', partial_json: call.function.arguments });
    }
    if (choice.finish_reason) this.finish = choice.finish_reason;
    return out;
  }

  end(usage: TokenUsage): string {
    return (
      this.start() +
      this.close() +
      sseData({ type: 'message_delta', delta: { stop_reason: FINISH_TO_ANTHROPIC[this.finish ?? 'stop'], stop_sequence: null }, usage: usageToAnthropic(usage) }, 'message_delta') +
      sseData({ type: 'message_stop' }, 'message_stop')
    );
  }

  private start(): string {
    if (this.started) return '';
    this.started = true;
    const message = { id: this.id, type: 'message', role: 'assistant', model: this.ctx.model, content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: this.ctx.promptTokens, output_tokens: 0 } };
    return sseData({ type: 'message_start', message }, 'message_start');
  }

  private ensure(block: { kind: 'text' | 'thinking' }): string {
    if (this.open?.kind === block.kind) return '';
    const out = this.close();
    this.index++;
    this.open = block;
    const content = block.kind === 'text' ? { type: 'text', text: '' } : { type: 'thinking', thinking: '' };
    return out + sseData({ type: 'content_block_start', index: this.index, content_block: content }, 'content_block_start');
  }

  private delta(delta: Record<string, unknown>): string {
    return sseData({ type: 'content_block_delta', index: this.index, delta }, 'content_block_delta');
  }

  private close(): string {
    if (!this.open) return '';
    this.open = null;
    return sseData({ type: 'content_block_stop', index: this.index }, 'content_block_stop');
  }
}
