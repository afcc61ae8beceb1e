import { describe, expect, it } from 'vitest';
import { readJsonFixture } from '../fixtures.js';
import { fromOpenAiResponse } from './response.js';
import { usageFromOpenAi } from './usage.js';

describe('OpenAI chat completion', () => {
  it('reads usage with cached tokens and shows the public model', () => {
    const { completion, usage } = fromOpenAiResponse(readJsonFixture('openai', 'chat-response.json'), 'public');
    expect(completion.model).toBe('public');
    expect(completion.choices[0]!.finish_reason).toBe('tool_calls');
    expect(usage).toEqual({ prompt: 1117, completion: 46, cached: 1024, cacheWrite: 0 });
  });

  it('reads DeepSeek’s cache-hit count as cached tokens', () => {
    expect(usageFromOpenAi({ prompt_tokens: 100, completion_tokens: 5, prompt_cache_hit_tokens: 64, prompt_cache_miss_tokens: 36 })).toEqual({ prompt: 100, completion: 5, cached: 64, cacheWrite: 0 });
    expect(usageFromOpenAi(null)).toBeNull();
  });
});
