import { describe, expect, it } from 'vitest';
import { readJsonFixture } from '../fixtures.js';
import { openAiWire } from './openai.adapter.js';
import { parseChatRequest, toOpenAiRequest } from './request.js';

describe('OpenAI chat request', () => {
  it('is canonical as it is: pass-through maps the model and forces usage into streams', () => {
    const recorded = readJsonFixture('openai', 'chat-request.json');
    const chat = parseChatRequest(recorded);
    expect(chat).toBe(recorded);
    const streamed = toOpenAiRequest(chat, 'upstream-model', true);
    expect(streamed).toEqual({ ...recorded, model: 'upstream-model', stream: true, stream_options: { include_usage: true } });
    expect(toOpenAiRequest({ ...chat, stream_options: { include_usage: false } }, 'u', true)['stream_options']).toEqual({ include_usage: true });
    expect(toOpenAiRequest(chat, 'u', false)).toMatchObject({ model: 'u', stream: false });
  });

  it('refuses what the relay cannot bill, as a 4xx', () => {
    expect(() => parseChatRequest([])).toThrow(/JSON object/);
    expect(() => parseChatRequest({ model: 'm', messages: [] })).toThrow(/messages/);
    expect(() => parseChatRequest({ model: 'm', messages: ['x'] })).toThrow(/role/);
    expect(() => parseChatRequest({ model: 'm', messages: [{ role: 'user', content: 'x' }], max_tokens: 0 })).toThrow(/max_tokens/);
    expect(() => parseChatRequest({ model: 'm', messages: [{ role: 'user', content: 'x' }], stream: 'yes' })).toThrow(/stream/);
  });
});

describe('OpenAI as a converted upstream', () => {
  it('leaves out reasoning read from another protocol’s history', () => {
    const body = openAiWire.buildRequest({ model: 'm', messages: [{ role: 'assistant', content: 'a', reasoning_content: 'thought' }] }, 'u', false);
    expect(body['messages']).toEqual([{ role: 'assistant', content: 'a' }]);
  });
});
