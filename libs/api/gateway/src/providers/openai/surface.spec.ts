import { describe, expect, it } from 'vitest';
import type { ChatChunk, ChatCompletion } from '../canonical.js';
import { openAiCompletionsSurface } from './surface.js';

const usage = { prompt: 4, completion: 3, cached: 0, cacheWrite: 0 };

describe('legacy completions surface', () => {
  it('turns a prompt into one user message, with OpenAI’s legacy default of 16 tokens', () => {
    const { canonical, stream, includeUsage } = openAiCompletionsSurface.parse({ model: 'm', prompt: ['say hi'], stop: ['\n'], stream: true, stream_options: { include_usage: true } }, {});
    expect(canonical).toEqual({ model: 'm', messages: [{ role: 'user', content: 'say hi' }], max_tokens: 16, stream: true, stream_options: { include_usage: true }, stop: ['\n'] });
    expect([stream, includeUsage]).toEqual([true, true]);
    expect(() => openAiCompletionsSurface.parse({ model: 'm', prompt: ['a', 'b'] }, {})).toThrow(/prompt/);
    expect(() => openAiCompletionsSurface.parse({ model: 'm', prompt: 'a', n: 2 }, {})).toThrow(/n and best_of/);
  });

  it('answers and streams as text_completion', () => {
    const completion: ChatCompletion = { id: 'x', object: 'chat.completion', created: 1, model: 'up', choices: [{ index: 0, message: { role: 'assistant', content: 'hi there' }, finish_reason: 'length' }] };
    expect(openAiCompletionsSurface.renderResponse(completion, usage, 'm')).toEqual({
      id: 'cmpl-x',
      object: 'text_completion',
      created: 1,
      model: 'm',
      choices: [{ text: 'hi there', index: 0, logprobs: null, finish_reason: 'length' }],
      usage: { prompt_tokens: 4, completion_tokens: 3, total_tokens: 7 },
    });
    const encoder = openAiCompletionsSurface.streamEncoder({ model: 'm', includeUsage: false, promptTokens: 4 });
    const chunk = (content: string | undefined, finish: 'stop' | null): ChatChunk => ({ id: 'x', object: 'chat.completion.chunk', created: 1, model: 'up', choices: [{ index: 0, delta: content === undefined ? {} : { content }, finish_reason: finish }] });
    const out = encoder.push(chunk('hi', null)) + encoder.push(chunk(undefined, null)) + encoder.push(chunk(undefined, 'stop')) + encoder.end(usage);
    expect(out.split('\n\n').filter(Boolean)).toEqual([
      'data: {"id":"cmpl-x","object":"text_completion","created":1,"model":"m","choices":[{"text":"hi","index":0,"logprobs":null,"finish_reason":null}]}',
      'data: {"id":"cmpl-x","object":"text_completion","created":1,"model":"m","choices":[{"text":"","index":0,"logprobs":null,"finish_reason":"stop"}]}',
      'data: [DONE]',
    ]);
  });
});
