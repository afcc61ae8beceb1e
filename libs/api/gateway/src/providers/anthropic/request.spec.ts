import { describe, expect, it } from 'vitest';
import { readJsonFixture } from '../fixtures.js';
import { fromAnthropicRequest, toAnthropicRequest } from './request.js';

const recorded = readJsonFixture('anthropic', 'messages-request.json');

describe('Anthropic request ⇄ canonical', () => {
  it('reads system, images, thinking, tool_use and tool_result into canonical chat', () => {
    const chat = fromAnthropicRequest(recorded);
    expect(chat).toMatchObject({ model: 'claude-sonnet-4-5', max_tokens: 1024, temperature: 0.2, stop: ['\n\nHuman:'], user: 'user-42', tool_choice: 'auto', parallel_tool_calls: false });
    expect(chat.messages).toEqual([
      { role: 'system', content: 'You are a weather assistant.' },
      {
        role: 'user',
        content: [
          { type: 'image_url', image_url: { url: 'data:image/jpeg;base64,/9j/4AAQSkZJRg==' } },
          { type: 'image_url', image_url: { url: 'https://upload.wikimedia.org/wikipedia/commons/a/a7/Camponotus_flavomarginatus_ant.jpg' } },
          { type: 'text', text: 'What is the weather like where this photo was taken?' },
        ],
      },
      {
        role: 'assistant',
        content: "I'll check the weather in San Francisco.",
        tool_calls: [{ id: 'toolu_01A09q90qw90lq917835lq9', type: 'function', function: { name: 'get_weather', arguments: '{"location":"San Francisco, CA"}' } }],
        reasoning_content: 'The user wants the weather; I should call the tool.',
      },
      { role: 'tool', tool_call_id: 'toolu_01A09q90qw90lq917835lq9', content: '15 degrees, foggy' },
      { role: 'user', content: 'And should I bring a coat?' },
    ]);
    // The server tool (web_search) has no canonical form and is left out.
    expect(chat.tools?.map((t) => t.function.name)).toEqual(['get_weather']);
  });

  it('writes canonical chat back as Anthropic, tool results in the user turn that follows the call', () => {
    const body = toAnthropicRequest(fromAnthropicRequest(recorded), 'claude-upstream', true);
    expect(body).toMatchObject({
      model: 'claude-upstream',
      max_tokens: 1024,
      system: 'You are a weather assistant.',
      temperature: 0.2,
      stop_sequences: ['\n\nHuman:'],
      tool_choice: { type: 'auto', disable_parallel_tool_use: true },
      metadata: { user_id: 'user-42' },
      stream: true,
    });
    const messages = body['messages'] as { role: string; content: Record<string, unknown>[] }[];
    expect(messages.map((m) => m.role)).toEqual(['user', 'assistant', 'user']);
    expect(messages[0]!.content.slice(0, 2)).toEqual([
      { type: 'image', source: { type: 'base64', media_type: 'image/jpeg', data: '/9j/4AAQSkZJRg==' } },
      { type: 'image', source: { type: 'url', url: 'https://upload.wikimedia.org/wikipedia/commons/a/a7/Camponotus_flavomarginatus_ant.jpg' } },
    ]);
    expect(messages[1]!.content).toEqual([
      { type: 'text', text: "I'll check the weather in San Francisco." },
      { type: 'tool_use', id: 'toolu_01A09q90qw90lq917835lq9', name: 'get_weather', input: { location: 'San Francisco, CA' } },
    ]);
    expect(messages[2]!.content).toEqual([
      { type: 'tool_result', tool_use_id: 'toolu_01A09q90qw90lq917835lq9', content: '15 degrees, foggy' },
      { type: 'text', text: 'And should I bring a coat?' },
    ]);
  });

  it('merges parallel tool results into one user turn and maps tool choices', () => {
    const body = toAnthropicRequest(
      {
        model: 'm',
        messages: [
          { role: 'user', content: 'go' },
          { role: 'assistant', content: null, tool_calls: [{ id: 'a', type: 'function', function: { name: 'f', arguments: '{}' } }, { id: 'b', type: 'function', function: { name: 'g', arguments: 'not json' } }] },
          { role: 'tool', tool_call_id: 'a', content: 'one' },
          { role: 'tool', tool_call_id: 'b', content: 'two' },
        ],
        tools: [{ type: 'function', function: { name: 'f' } }, { type: 'function', function: { name: 'g' } }],
        tool_choice: { type: 'function', function: { name: 'g' } },
        temperature: 1.7,
      },
      'm',
      false,
    );
    const messages = body['messages'] as { role: string; content: unknown[] }[];
    expect(messages.map((m) => [m.role, m.content.length])).toEqual([
      ['user', 1],
      ['assistant', 2],
      ['user', 2],
    ]);
    expect(messages[1]!.content[1]).toMatchObject({ input: { _raw: 'not json' } });
    expect(body).toMatchObject({ max_tokens: 4096, tool_choice: { type: 'tool', name: 'g' }, temperature: 1 });
    expect((body['tools'] as unknown[])[0]).toEqual({ name: 'f', input_schema: { type: 'object', properties: {} } });
  });

  it('refuses what Anthropic would refuse, as a 4xx', () => {
    expect(() => fromAnthropicRequest({ model: 'm', messages: [{ role: 'user', content: 'x' }] })).toThrow(/max_tokens/);
    expect(() => fromAnthropicRequest({ model: 'm', max_tokens: 5, messages: [] })).toThrow(/messages/);
    expect(() => fromAnthropicRequest({ model: 'm', max_tokens: 5, messages: [{ role: 'system', content: 'x' }] })).toThrow(/role/);
  });
});
