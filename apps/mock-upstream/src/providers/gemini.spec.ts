import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { parseSse } from '../http-io.js';
import { startMockUpstream, type MockUpstream } from '../mock-upstream.js';

/** `Response.json()`, typed loosely for assertions. */
const readJson = (res: Response): Promise<any> => res.json();

let mock: MockUpstream;
beforeAll(async () => {
  mock = await startMockUpstream();
});
afterAll(() => mock.close());

function post(path: string, body: unknown, headers: Record<string, string> = { 'x-goog-api-key': 'AIza-test' }): Promise<Response> {
  return fetch(mock.url + path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
}

const request = (text: string, extra: Record<string, unknown> = {}) => ({
  systemInstruction: { parts: [{ text: 'Answer briefly.' }] },
  contents: [{ role: 'user', parts: [{ text }] }],
  ...extra,
});

const tools = [
  {
    functionDeclarations: [
      { name: 'find_flight', parameters: { type: 'OBJECT', properties: { from: { type: 'STRING' }, seats: { type: 'INTEGER' } } } },
      { name: 'book', parameters: { type: 'OBJECT', properties: { confirm: { type: 'BOOLEAN' } } } },
    ],
  },
];

describe('Gemini generateContent', () => {
  it('answers with a candidate and usageMetadata', async () => {
    const res = await post('/v1beta/models/mock-gemini:generateContent', request('Hi Gemini, what is up'));
    expect(res.status).toBe(200);
    const body = await readJson(res);
    expect(body.candidates).toHaveLength(1);
    expect(body.candidates[0]).toMatchObject({ finishReason: 'STOP', index: 0, content: { role: 'model' } });
    expect(body.candidates[0].content.parts[0].text.startsWith('Echo: Hi Gemini, what is up lorem')).toBe(true);
    expect(body.usageMetadata).toMatchObject({ promptTokenCount: 7, candidatesTokenCount: 20, totalTokenCount: 27 });
    expect(body.usageMetadata.cachedContentTokenCount).toBeUndefined();
    expect(body.modelVersion).toBe('mock-gemini');
  });

  it('reports cachedContentTokenCount and MAX_TOKENS when they apply', async () => {
    const body = await readJson(
      await post('/v1beta/models/mock-gemini:generateContent', request('a b c', { generationConfig: { maxOutputTokens: 2 } }), { 'x-goog-api-key': 'k', 'x-mock-cached-tokens': '3' })
    );
    expect(body.candidates[0].finishReason).toBe('MAX_TOKENS');
    expect(body.candidates[0].content.parts[0].text).toBe('Echo: a');
    expect(body.usageMetadata).toMatchObject({ promptTokenCount: 5, candidatesTokenCount: 2, cachedContentTokenCount: 3 });
  });

  it('answers "call <fn>" with functionCall parts, in parallel', async () => {
    const body = await readJson(await post('/v1beta/models/mock-gemini:generateContent', request('call find_flight and book', { tools })));
    expect(body.candidates[0].content.parts).toEqual([{ functionCall: { name: 'find_flight', args: { from: 'mock-from', seats: 42 } } }, { functionCall: { name: 'book', args: { confirm: true } } }]);
    expect(body.candidates[0].finishReason).toBe('STOP');
  });

  it('answers a functionResponse with text', async () => {
    const body = await readJson(
      await post('/v1beta/models/mock-gemini:generateContent', {
        tools,
        contents: [
          { role: 'user', parts: [{ text: 'call book' }] },
          { role: 'model', parts: [{ functionCall: { name: 'book', args: { confirm: true } } }] },
          { role: 'user', parts: [{ functionResponse: { name: 'book', response: { ok: true } } }] },
        ],
      })
    );
    expect(body.candidates[0].content.parts[0].text.startsWith('Echo: {"ok":true}')).toBe(true);
  });

  it('takes snake_case fields and the ANY mode with one allowed function', async () => {
    const body = await readJson(
      await post('/v1beta/models/mock-gemini:generateContent', {
        system_instruction: { parts: [{ text: 'x y' }] },
        contents: [{ parts: [{ text: 'hello' }] }],
        tools: [{ function_declarations: tools[0].functionDeclarations }],
        tool_config: { function_calling_config: { mode: 'ANY', allowed_function_names: ['book'] } },
      })
    );
    expect(body.candidates[0].content.parts[0].functionCall.name).toBe('book');
    expect(body.usageMetadata.promptTokenCount).toBe(3);
  });

  it('rejects a request without contents', async () => {
    const res = await post('/v1beta/models/mock-gemini:generateContent', { contents: [] });
    expect(res.status).toBe(400);
    expect((await readJson(res)).error).toMatchObject({ code: 400, status: 'INVALID_ARGUMENT' });
  });
});

describe('Gemini streamGenerateContent', () => {
  it('streams SSE chunks with alt=sse, full usage on the last', async () => {
    const whole = (await readJson(await post('/v1beta/models/mock-gemini:generateContent', request('stream it')))).candidates[0].content.parts[0].text;
    const res = await post('/v1beta/models/mock-gemini:streamGenerateContent?alt=sse', request('stream it'));
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const raw = await res.text();
    expect(raw).toContain('\r\n\r\n');
    const chunks = parseSse(raw).map((event) => JSON.parse(event.data));
    expect(chunks).toHaveLength(20);
    expect(chunks.map((chunk) => chunk.candidates[0].content.parts[0].text).join('')).toBe(whole);
    expect(chunks.slice(0, -1).every((chunk) => chunk.candidates[0].finishReason === undefined && chunk.usageMetadata.candidatesTokenCount === undefined)).toBe(true);
    expect(chunks.at(-1).candidates[0].finishReason).toBe('STOP');
    expect(chunks.at(-1).usageMetadata).toMatchObject({ promptTokenCount: 4, candidatesTokenCount: 20, totalTokenCount: 24 });
  });

  it('streams a JSON array without alt=sse', async () => {
    const res = await post('/v1beta/models/mock-gemini:streamGenerateContent', request('array', { generationConfig: { maxOutputTokens: 3 } }));
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const chunks = JSON.parse(await res.text());
    expect(chunks.map((chunk: any) => chunk.candidates[0].content.parts[0].text).join('')).toBe('Echo: array lorem');
    expect(chunks.at(-1).candidates[0].finishReason).toBe('MAX_TOKENS');
  });

  it('streams function calls whole, and omits usage with no-usage', async () => {
    const res = await post('/v1beta/models/mock-gemini@nousage:streamGenerateContent?alt=sse', request('call find_flight', { tools }));
    const chunks = parseSse(await res.text()).map((event) => JSON.parse(event.data));
    expect(chunks).toHaveLength(1);
    expect(chunks[0].candidates[0].content.parts[0].functionCall).toEqual({ name: 'find_flight', args: { from: 'mock-from', seats: 42 } });
    expect(chunks[0].usageMetadata).toBeUndefined();
    expect(chunks[0].modelVersion).toBe('mock-gemini');
  });
});

describe('Gemini auth, countTokens and models', () => {
  it('accepts the key as ?key=', async () => {
    const res = await post('/v1beta/models/mock-gemini:generateContent?key=AIza-query', request('x'), {});
    expect(res.status).toBe(200);
  });

  it('counts tokens from contents or a generateContentRequest', async () => {
    expect(await readJson(await post('/v1beta/models/mock-gemini:countTokens', { contents: [{ parts: [{ text: 'a b c' }] }] }))).toMatchObject({ totalTokens: 3 });
    expect(await readJson(await post('/v1beta/models/mock-gemini:countTokens', { generateContentRequest: request('a b') }))).toMatchObject({ totalTokens: 4 });
  });

  it('lists and gets models', async () => {
    const list = await readJson(await fetch(`${mock.url}/v1beta/models`, { headers: { 'x-goog-api-key': 'k' } }));
    expect(list.models[0]).toMatchObject({ name: 'models/mock-gemini', supportedGenerationMethods: ['generateContent', 'countTokens'] });
    const one = await readJson(await fetch(`${mock.url}/v1beta/models/gemini-2.5-flash?key=k`));
    expect(one.name).toBe('models/gemini-2.5-flash');
  });

  it('decodes a URL-encoded control suffix in the path', async () => {
    const res = await post(`/v1beta/models/${encodeURIComponent('mock-gemini@tokens=2')}:generateContent`, request('x'));
    const body = await readJson(res);
    expect(body.candidates[0].content.parts[0].text).toBe('Echo: x');
    expect(body.modelVersion).toBe('mock-gemini');
  });
});
