import { describe, expect, it } from 'vitest';
import { OpenAiChatStreamTap } from './chat-stream.js';

const chunk = (o: object) => `data: ${JSON.stringify(o)}\n\n`;
const stream = [
  chunk({ id: 'c1', object: 'chat.completion.chunk', choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }] }),
  chunk({ id: 'c1', object: 'chat.completion.chunk', choices: [{ index: 0, delta: { content: 'Hello' }, finish_reason: null }] }),
  chunk({ id: 'c1', object: 'chat.completion.chunk', choices: [{ index: 0, delta: { content: ' world' }, finish_reason: null }] }),
  chunk({ id: 'c1', object: 'chat.completion.chunk', choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] }),
  chunk({ id: 'c1', object: 'chat.completion.chunk', choices: [], usage: { prompt_tokens: 12, completion_tokens: 2, total_tokens: 14, prompt_tokens_details: { cached_tokens: 4 } } }),
  'data: [DONE]\n\n',
].join('');

describe('OpenAiChatStreamTap', () => {
  it('forwards whole events however the bytes are split, and reads usage and delivered text', () => {
    for (const size of [1, 3, 7, 64, stream.length]) {
      const tap = new OpenAiChatStreamTap(true);
      let out = '';
      for (let i = 0; i < stream.length; i += size) out += tap.push(stream.slice(i, i + size));
      out += tap.end();
      expect(out).toBe(stream);
      expect(tap.usage).toEqual({ promptTokens: 12, completionTokens: 2, cachedTokens: 4 });
      expect(tap.delivered).toBe('Hello world');
      expect(tap.finishReason).toBe('stop');
      expect(tap.sawDone).toBe(true);
    }
  });

  it('drops the forced usage chunk when the client did not ask for usage', () => {
    const tap = new OpenAiChatStreamTap(false);
    const out = tap.push(stream) + tap.end();
    expect(out).not.toContain('"usage"');
    expect(out).toContain('[DONE]');
    expect(tap.usage?.completionTokens).toBe(2);
  });

  it('collects tool-call names and argument deltas', () => {
    const tap = new OpenAiChatStreamTap(true);
    tap.push(chunk({ choices: [{ index: 0, delta: { tool_calls: [{ index: 0, id: 't1', type: 'function', function: { name: 'get_weather', arguments: '' } }] } }] }));
    tap.push(chunk({ choices: [{ index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: '{"city":' } }] } }] }));
    tap.push(chunk({ choices: [{ index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: '"Paris"}' } }] }, finish_reason: 'tool_calls' }] }));
    expect(tap.delivered).toBe('get_weather{"city":"Paris"}');
    expect(tap.finishReason).toBe('tool_calls');
    expect(tap.usage).toBeNull();
  });

  it('keeps a cut-off stream billable: what was delivered before the cut', () => {
    const tap = new OpenAiChatStreamTap(true);
    const cut = stream.slice(0, stream.indexOf(' world') + 3);
    const out = tap.push(cut) + tap.end();
    expect(tap.delivered).toBe('Hello');
    expect(out).not.toContain(' wo');
    expect(tap.usage).toBeNull();
  });
});
