import { describe, expect, it } from 'vitest';
import { readJsonFixture } from '../fixtures.js';
import { fromGeminiResponse, toGeminiResponse } from './response.js';

describe('Gemini answer ⇄ canonical completion', () => {
  it('reads thoughts, text, a function call (STOP → tool_calls) and usage with cache and thoughts', () => {
    const { completion, usage } = fromGeminiResponse(readJsonFixture('gemini', 'generate-response.json'), 'public');
    expect(completion.choices[0]).toEqual({
      index: 0,
      message: {
        role: 'assistant',
        content: 'It is 18°C in Boston and 22°C in Paris.',
        reasoning_content: 'Boston is cooler than Paris.',
        tool_calls: [{ id: 'call_0', type: 'function', function: { name: 'get_forecast', arguments: '{"location":"Paris","days":2}' } }],
      },
      finish_reason: 'tool_calls',
    });
    // Thoughts are billed as output, as Google bills them.
    expect(usage).toEqual({ prompt: 1250, completion: 72, cached: 1000, cacheWrite: 0 });
  });

  it('writes a canonical completion as a Gemini answer', () => {
    const { completion, usage } = fromGeminiResponse(readJsonFixture('gemini', 'generate-response.json'), 'public');
    expect(toGeminiResponse(completion, usage!, 'public')).toEqual({
      candidates: [
        {
          content: {
            role: 'model',
            parts: [
              { text: 'Boston is cooler than Paris.', thought: true },
              { text: 'It is 18°C in Boston and 22°C in Paris.' },
              { functionCall: { id: 'call_0', name: 'get_forecast', args: { location: 'Paris', days: 2 } } },
            ],
          },
          finishReason: 'STOP',
          index: 0,
        },
      ],
      usageMetadata: { promptTokenCount: 1250, candidatesTokenCount: 72, totalTokenCount: 1322, cachedContentTokenCount: 1000 },
      modelVersion: 'public',
      responseId: '4Uy3aMnHOc-rmtkPq8nRgQY',
    });
  });

  it('maps MAX_TOKENS and SAFETY', () => {
    const answer = (finishReason: string) => ({ candidates: [{ content: { parts: [{ text: 'x' }] }, finishReason }] });
    expect(fromGeminiResponse(answer('MAX_TOKENS'), 'm').completion.choices[0]!.finish_reason).toBe('length');
    expect(fromGeminiResponse(answer('SAFETY'), 'm').completion.choices[0]!.finish_reason).toBe('content_filter');
    expect(fromGeminiResponse(answer('STOP'), 'm').usage).toBeNull();
  });
});
