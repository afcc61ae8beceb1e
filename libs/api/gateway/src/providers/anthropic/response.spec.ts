import { describe, expect, it } from 'vitest';
import { readJsonFixture } from '../fixtures.js';
import { fromAnthropicMessage, toAnthropicMessage } from './response.js';

describe('Anthropic message ⇄ canonical completion', () => {
  it('reads text, thinking, tool_use, stop reason and cache usage', () => {
    const { completion, usage } = fromAnthropicMessage(readJsonFixture('anthropic', 'messages-response.json'), 'public-model');
    expect(completion.model).toBe('public-model');
    expect(completion.choices[0]).toEqual({
      index: 0,
      message: {
        role: 'assistant',
        content: 'Yes, bring a light coat. Let me also check tomorrow.',
        reasoning_content: 'Foggy and cool: a coat helps.',
        tool_calls: [{ id: 'toolu_01T1x1fJ34qAmk2tNTrN7Up6', type: 'function', function: { name: 'get_weather', arguments: '{"location":"San Francisco, CA","unit":"celsius"}' } }],
      },
      finish_reason: 'tool_calls',
    });
    // input_tokens excludes cache reads and writes; the billed prompt includes both.
    expect(usage).toEqual({ prompt: 472 + 120 + 1800, completion: 91, cached: 1800, cacheWrite: 120 });
    expect(completion.usage).toEqual({ prompt_tokens: 2392, completion_tokens: 91, total_tokens: 2483, prompt_tokens_details: { cached_tokens: 1800 } });
  });

  it('writes a canonical completion as an Anthropic message with the same usage split', () => {
    const { completion, usage } = fromAnthropicMessage(readJsonFixture('anthropic', 'messages-response.json'), 'public-model');
    const message = toAnthropicMessage(completion, usage!, 'public-model');
    expect(message).toMatchObject({
      type: 'message',
      role: 'assistant',
      model: 'public-model',
      stop_reason: 'tool_use',
      usage: { input_tokens: 472, cache_creation_input_tokens: 120, cache_read_input_tokens: 1800, output_tokens: 91 },
      content: [
        { type: 'text', text: 'Yes, bring a light coat. Let me also check tomorrow.' },
        { type: 'tool_use', id: 'toolu_01T1x1fJ34qAmk2tNTrN7Up6', name: 'get_weather', input: { location: 'San Francisco, CA', unit: 'celsius' } },
      ],
    });
  });
});
