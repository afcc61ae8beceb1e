import { describe, expect, it, vi } from 'vitest';
import { assembleChunks, type ChatChunk } from '../canonical.js';
import { feed, readFixture } from '../fixtures.js';
import { OpenAiStreamDecoder } from '../openai/stream.js';
import { AnthropicStreamDecoder, AnthropicStreamEncoder } from './stream.js';

const recorded = readFixture('anthropic', 'messages-stream.txt');

describe('AnthropicStreamDecoder', () => {
  it('turns the recorded stream into canonical chunks however the bytes are split', () => {
    for (const size of [1, 5, 64, recorded.length]) {
      const decoder = new AnthropicStreamDecoder('public');
      const events = feed(recorded, size, (p) => decoder.push(p), () => decoder.end());
      // Every upstream event comes out once, with its exact bytes (for pass-through).
      expect(events.map((e) => e.raw).join('')).toBe(recorded);
      expect(assembleChunks(events.flatMap((e) => e.chunks))).toEqual({
        content: "Okay, let's check the weather for San Francisco, CA:",
        reasoning: '',
        toolCalls: [
          { id: 'toolu_01T1x1fJ34qAmk2tNTrN7Up6', type: 'function', function: { name: 'get_weather', arguments: '{"location": "San Francisco, CA"}' } },
          { id: 'toolu_02B2y2gK45rBnl3uOUsO8Vq7', type: 'function', function: { name: 'get_time', arguments: '{"zone": "PST"}' } },
        ],
        finish: 'tool_calls',
      });
      expect(decoder.usage).toEqual({ prompt: 472 + 1800, completion: 89, cached: 1800, cacheWrite: 0 });
      expect(decoder.done).toBe(true);
    }
  });

  it('is not done when the stream is cut, and has kept what was delivered', () => {
    const decoder = new AnthropicStreamDecoder('public');
    decoder.push(recorded.slice(0, recorded.indexOf('content_block_stop')));
    decoder.end();
    expect(decoder.done).toBe(false);
    expect(decoder.delivered).toBe("Okay, let's check the weather for San Francisco, CA:");
  });
});

describe('AnthropicStreamDecoder without chunks (pass-through)', () => {
  it('forwards the same bytes and bills the same, leaving content events unparsed until the delivered text is asked for', () => {
    for (const size of [1, 5, 64, recorded.length]) {
      const eager = new AnthropicStreamDecoder('public');
      const expected = feed(recorded, size, (p) => eager.push(p), () => eager.end());
      const parse = vi.spyOn(JSON, 'parse');
      try {
        const decoder = new AnthropicStreamDecoder('public', { chunks: false });
        const events = feed(recorded, size, (p) => decoder.push(p), () => decoder.end());
        expect(events.map((e) => e.raw)).toEqual(expected.map((e) => e.raw));
        expect(events.every((e) => e.chunks.length === 0)).toBe(true);
        expect(decoder.usage).toEqual(eager.usage);
        expect(decoder.done).toBe(true);
        const others = events.filter((e) => !/^event: (content_block_(start|delta|stop)|ping)\n/.test(e.raw));
        expect(others.length).toBeGreaterThanOrEqual(3);
        expect(parse).toHaveBeenCalledTimes(others.length);
        expect(decoder.delivered).toBe(eager.delivered);
        expect(decoder.delivered).toContain("Okay, let's check the weather for San Francisco, CA:get_weather");
      } finally {
        parse.mockRestore();
      }
    }
  });

  it('reads what a cut-off stream delivered, and never forwards half an event', () => {
    const decoder = new AnthropicStreamDecoder('public', { chunks: false });
    const cut = recorded.slice(0, recorded.indexOf('content_block_stop') - 20);
    const out = [...decoder.push(cut), ...decoder.end()].map((e) => e.raw).join('');
    expect(recorded.startsWith(out)).toBe(true);
    expect(out.endsWith('\n\n')).toBe(true);
    expect(decoder.done).toBe(false);
    const eager = new AnthropicStreamDecoder('public');
    eager.push(cut);
    eager.end();
    expect(decoder.delivered).toBe(eager.delivered);
    expect(decoder.usage).toEqual(eager.usage);
  });
});

describe('AnthropicStreamEncoder', () => {
  it('renders an OpenAI stream (text, then two tool calls) as Anthropic events, block by block', () => {
    const openai = new OpenAiStreamDecoder();
    const chunks: ChatChunk[] = openai.push(readFixture('openai', 'chat-stream.txt')).flatMap((e) => e.chunks);
    const encoder = new AnthropicStreamEncoder({ model: 'public', includeUsage: true, promptTokens: 1100 });
    const firstEvent = encoder.push(chunks[0]!);
    expect(firstEvent).toContain('event: message_start');
    const sse = firstEvent + chunks.slice(1).map((c) => encoder.push(c)).join('') + encoder.end(openai.usage!);
    const names = [...sse.matchAll(/^event: (\w+)/gm)].map((m) => m[1]);
    expect(names).toEqual([
      'message_start',
      'content_block_start',
      'content_block_delta',
      'content_block_delta',
      'content_block_stop',
      'content_block_start',
      'content_block_delta',
      'content_block_delta',
      'content_block_stop',
      'content_block_start',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    // Decoding what we wrote gives back what we read: same text, calls, finish and usage.
    const back = new AnthropicStreamDecoder('public');
    const again = back.push(sse).flatMap((e) => e.chunks);
    expect(assembleChunks(again)).toEqual({ ...assembleChunks(chunks), reasoning: '' });
    expect(back.usage).toEqual({ prompt: 1117, completion: 46, cached: 1024, cacheWrite: 0 });
  });
});
