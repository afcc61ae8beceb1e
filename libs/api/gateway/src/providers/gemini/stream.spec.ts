import { describe, expect, it } from 'vitest';
import { assembleChunks } from '../canonical.js';
import { feed, readFixture } from '../fixtures.js';
import { AnthropicStreamDecoder } from '../anthropic/stream.js';
import { GeminiStreamDecoder, GeminiStreamEncoder } from './stream.js';

const recorded = readFixture('gemini', 'stream.txt');

describe('GeminiStreamDecoder', () => {
  it('reads the recorded alt=sse stream (CRLF separated) however the bytes are split', () => {
    for (const size of [1, 3, 50, recorded.length]) {
      const decoder = new GeminiStreamDecoder('public');
      const events = feed(recorded, size, (p) => decoder.push(p), () => decoder.end());
      expect(events.map((e) => e.raw).join('')).toBe(recorded);
      expect(assembleChunks(events.flatMap((e) => e.chunks))).toEqual({
        content: 'The weather in Boston is',
        reasoning: '',
        toolCalls: [
          { id: 'call_0', type: 'function', function: { name: 'get_forecast', arguments: '{"location":"Boston"}' } },
          { id: 'call_1', type: 'function', function: { name: 'get_time', arguments: '{"zone":"EST"}' } },
        ],
        finish: 'tool_calls',
      });
      expect(decoder.usage).toEqual({ prompt: 11, completion: 24, cached: 4, cacheWrite: 0 });
      expect(decoder.done).toBe(true);
    }
  });

  it('is not done before a finishReason arrives', () => {
    const decoder = new GeminiStreamDecoder('public');
    decoder.push(recorded.slice(0, recorded.indexOf('functionCall')));
    decoder.end();
    expect(decoder.done).toBe(false);
    expect(decoder.delivered).toBe('The weather in Boston is');
  });
});

describe('GeminiStreamEncoder', () => {
  it('renders an Anthropic stream as Gemini events: text as it comes, calls whole at the end', () => {
    const anthropic = new AnthropicStreamDecoder('public');
    const chunks = anthropic.push(readFixture('anthropic', 'messages-stream.txt')).flatMap((e) => e.chunks);
    const encoder = new GeminiStreamEncoder({ model: 'public', includeUsage: true, promptTokens: 100 });
    const out = chunks.map((c) => encoder.push(c)).join('') + encoder.end(anthropic.usage!);
    const events = out.split('\r\n\r\n').filter(Boolean).map((e) => JSON.parse(e.replace(/^data: /, '')) as Record<string, any>);
    expect(events.map((e) => e['candidates'][0].content.parts.map((p: Record<string, unknown>) => p['text'] ?? (p['functionCall'] as { name: string }).name))).toEqual([
      ['Okay'],
      [", let's check the weather for San Francisco, CA:"],
      ['get_weather', 'get_time'],
    ]);
    expect(events.at(-1)).toMatchObject({
      candidates: [{ finishReason: 'STOP', content: { parts: [{ functionCall: { name: 'get_weather', args: { location: 'San Francisco, CA' } } }, { functionCall: { name: 'get_time', args: { zone: 'PST' } } }] } }],
      usageMetadata: { promptTokenCount: 2272, candidatesTokenCount: 89, totalTokenCount: 2361, cachedContentTokenCount: 1800 },
      modelVersion: 'public',
    });
  });
});
