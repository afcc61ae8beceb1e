import { describe, expect, it, vi } from 'vitest';
import { assembleChunks } from '../canonical.js';
import { feed, readFixture } from '../fixtures.js';
import { GeminiStreamDecoder } from '../gemini/stream.js';
import { OpenAiChatStreamEncoder, OpenAiStreamDecoder } from './stream.js';

const recorded = readFixture('openai', 'chat-stream.txt');

describe('OpenAiStreamDecoder', () => {
  it('passes every event through byte for byte however split, and reads usage, calls and [DONE]', () => {
    for (const size of [1, 7, 64, recorded.length]) {
      const decoder = new OpenAiStreamDecoder();
      const events = feed(recorded, size, (p) => decoder.push(p), () => decoder.end());
      expect(events.map((e) => e.raw).join('')).toBe(recorded);
      expect(events.filter((e) => e.usageOnly)).toHaveLength(1);
      expect(assembleChunks(events.flatMap((e) => e.chunks))).toEqual({
        content: 'Checking both cities.',
        reasoning: '',
        toolCalls: [
          { id: 'call_x1', type: 'function', function: { name: 'get_forecast', arguments: '{"location":"Paris"}' } },
          { id: 'call_x2', type: 'function', function: { name: 'get_time', arguments: '{"zone":"CET"}' } },
        ],
        finish: 'tool_calls',
      });
      expect(decoder.usage).toEqual({ prompt: 1117, completion: 46, cached: 1024, cacheWrite: 0 });
      expect(decoder.delivered).toBe('Checking both cities.get_forecast{"location":"Paris"}get_time{"zone":"CET"}');
      expect(decoder.done).toBe(true);
    }
  });

  it('keeps a cut-off stream billable and never forwards half an event', () => {
    const decoder = new OpenAiStreamDecoder();
    const cut = recorded.slice(0, recorded.indexOf(' both') + 3);
    const out = [...decoder.push(cut), ...decoder.end()].map((e) => e.raw).join('');
    expect(decoder.delivered).toBe('Checking');
    expect(out).not.toContain(' bo');
    expect(decoder.usage).toBeNull();
    expect(decoder.done).toBe(false);
  });
});

describe('OpenAiStreamDecoder without chunks (pass-through)', () => {
  it('forwards the same bytes and bills the same, parsing only the usage event until the delivered text is asked for', () => {
    for (const size of [1, 7, 64, recorded.length]) {
      const eager = new OpenAiStreamDecoder();
      const expected = feed(recorded, size, (p) => eager.push(p), () => eager.end());
      const parse = vi.spyOn(JSON, 'parse');
      try {
        const decoder = new OpenAiStreamDecoder({ chunks: false });
        const events = feed(recorded, size, (p) => decoder.push(p), () => decoder.end());
        expect(events.map((e) => e.raw)).toEqual(expected.map((e) => e.raw));
        expect(events.map((e) => e.usageOnly ?? false)).toEqual(expected.map((e) => e.usageOnly ?? false));
        expect(events.every((e) => e.chunks.length === 0)).toBe(true);
        expect(decoder.usage).toEqual(eager.usage);
        expect(decoder.done).toBe(true);
        expect(parse).toHaveBeenCalledTimes(1);
        expect(decoder.delivered).toBe(eager.delivered);
        expect(decoder.delivered).toBe('Checking both cities.get_forecast{"location":"Paris"}get_time{"zone":"CET"}');
      } finally {
        parse.mockRestore();
      }
    }
  });

  it('reads a long answer as it goes instead of holding all of it', () => {
    const frame = (i: number) => `data: {"id":"c","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"w${i} "},"finish_reason":null}],"usage":null}\n\n`;
    const frames = Array.from({ length: 2000 }, (_, i) => frame(i));
    const eager = new OpenAiStreamDecoder();
    eager.push(frames.join(''));
    const parse = vi.spyOn(JSON, 'parse');
    try {
      const decoder = new OpenAiStreamDecoder({ chunks: false });
      for (const f of frames) decoder.push(f);
      // 2,000 events of ~130 characters pass the hold limit several times: most are read already.
      expect(parse.mock.calls.length).toBeGreaterThan(1500);
      expect(decoder.delivered).toBe(eager.delivered);
    } finally {
      parse.mockRestore();
    }
  });

  it('reads what a cut-off stream delivered, and never forwards half an event', () => {
    const decoder = new OpenAiStreamDecoder({ chunks: false });
    const cut = recorded.slice(0, recorded.indexOf(' both') + 3);
    const out = [...decoder.push(cut), ...decoder.end()].map((e) => e.raw).join('');
    expect(out).not.toContain(' bo');
    expect(decoder.usage).toBeNull();
    expect(decoder.done).toBe(false);
    expect(decoder.delivered).toBe('Checking');
  });
});

describe('OpenAiChatStreamEncoder', () => {
  it('renders a Gemini stream as OpenAI chunks under the public model, usage only when asked', () => {
    const gemini = new GeminiStreamDecoder('upstream-name');
    const chunks = gemini.push(readFixture('gemini', 'stream.txt')).flatMap((e) => e.chunks);
    for (const includeUsage of [true, false]) {
      const encoder = new OpenAiChatStreamEncoder({ model: 'public', includeUsage, promptTokens: 0 });
      const sse = chunks.map((c) => encoder.push(c)).join('') + encoder.end(gemini.usage!);
      const back = new OpenAiStreamDecoder();
      const events = back.push(sse);
      expect(assembleChunks(events.flatMap((e) => e.chunks))).toEqual(assembleChunks(chunks));
      expect(sse).not.toContain('upstream-name');
      expect(back.done).toBe(true);
      expect(back.usage).toEqual(includeUsage ? { prompt: 11, completion: 24, cached: 4, cacheWrite: 0 } : null);
    }
  });
});
