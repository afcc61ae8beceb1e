import { describe, expect, it } from 'vitest';
import { readJsonFixture } from '../fixtures.js';
import { fromGeminiRequest, toGeminiRequest } from './request.js';

const recorded = readJsonFixture('gemini', 'generate-request.json');

describe('Gemini request ⇄ canonical', () => {
  it('reads system instruction, images, parallel function calls and their responses', () => {
    const chat = fromGeminiRequest(recorded, 'gemini-public', false);
    expect(chat).toMatchObject({ model: 'gemini-public', max_tokens: 800, temperature: 0.4, top_p: 0.9, stop: ['Title'], tool_choice: { type: 'function', function: { name: 'get_current_weather' } } });
    expect(chat.messages).toEqual([
      { role: 'system', content: 'You are a weather assistant.' },
      {
        role: 'user',
        content: [
          { type: 'image_url', image_url: { url: 'data:image/jpeg;base64,/9j/4AAQSkZJRg==' } },
          { type: 'image_url', image_url: { url: 'https://generativelanguage.googleapis.com/v1beta/files/abc-123' } },
          { type: 'text', text: 'What is the weather like in Boston and Paris?' },
        ],
      },
      {
        role: 'assistant',
        content: null,
        tool_calls: [
          { id: 'call_0', type: 'function', function: { name: 'get_current_weather', arguments: '{"location":"Boston, MA"}' } },
          { id: 'call_1', type: 'function', function: { name: 'get_current_weather', arguments: '{"location":"Paris"}' } },
        ],
      },
      // Responses without ids answer the calls of the same name in order.
      { role: 'tool', tool_call_id: 'call_0', content: '{"temperature":18,"unit":"celsius"}' },
      { role: 'tool', tool_call_id: 'call_1', content: '{"temperature":22,"unit":"celsius"}' },
    ]);
    // Gemini's capitalised OpenAPI types become JSON Schema's.
    expect(chat.tools?.[0]?.function.parameters).toEqual({ type: 'object', properties: { location: { type: 'string' } }, required: ['location'] });
  });

  it('writes canonical chat back as Gemini, responses named after the calls they answer', () => {
    const body = toGeminiRequest(fromGeminiRequest(recorded, 'gemini-public', false));
    expect(body['systemInstruction']).toEqual({ parts: [{ text: 'You are a weather assistant.' }] });
    expect(body['generationConfig']).toEqual({ maxOutputTokens: 800, temperature: 0.4, topP: 0.9, stopSequences: ['Title'] });
    expect(body['toolConfig']).toEqual({ functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['get_current_weather'] } });
    const contents = body['contents'] as { role: string; parts: Record<string, unknown>[] }[];
    expect(contents.map((c) => c.role)).toEqual(['user', 'model', 'user']);
    expect(contents[0]!.parts.slice(0, 2)).toEqual([
      { inlineData: { mimeType: 'image/jpeg', data: '/9j/4AAQSkZJRg==' } },
      { fileData: { mimeType: 'image/jpeg', fileUri: 'https://generativelanguage.googleapis.com/v1beta/files/abc-123' } },
    ]);
    expect(contents[2]!.parts).toEqual([
      { functionResponse: { id: 'call_0', name: 'get_current_weather', response: { temperature: 18, unit: 'celsius' } } },
      { functionResponse: { id: 'call_1', name: 'get_current_weather', response: { temperature: 22, unit: 'celsius' } } },
    ]);
  });

  it('wraps a plain-text tool result, and refuses an empty request', () => {
    const body = toGeminiRequest({
      model: 'm',
      messages: [
        { role: 'user', content: 'go' },
        { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'f', arguments: '{"a":1}' } }] },
        { role: 'tool', tool_call_id: 'c1', content: 'sunny' },
      ],
      tool_choice: 'none',
      tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'object' } } }],
    });
    expect((body['contents'] as { parts: unknown[] }[])[2]!.parts).toEqual([{ functionResponse: { id: 'c1', name: 'f', response: { content: 'sunny' } } }]);
    expect(body['toolConfig']).toEqual({ functionCallingConfig: { mode: 'NONE' } });
    expect(body['tools']).toEqual([{ functionDeclarations: [{ name: 'f', parametersJsonSchema: { type: 'object' } }] }]);
    expect(() => fromGeminiRequest({ contents: [] }, 'm', false)).toThrow(/contents/);
    expect(() => fromGeminiRequest({ contents: [{ parts: [{ text: 'x' }] }], generationConfig: { maxOutputTokens: 0 } }, 'm', false)).toThrow(/maxOutputTokens/);
  });
});

describe('Gemini media other than images', () => {
  it('has no canonical form and is left out', () => {
    const chat = fromGeminiRequest({ contents: [{ role: 'user', parts: [{ inlineData: { mimeType: 'application/pdf', data: 'JVBE' } }, { text: 'sum up' }] }] }, 'm', false);
    expect(chat.messages).toEqual([{ role: 'user', content: 'sum up' }]);
  });
});
