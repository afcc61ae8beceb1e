import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { parseSse } from '../http-io.js';
import { startMockUpstream, type MockUpstream } from '../mock-upstream.js';
import { countWords } from '../words.js';
import { embeddingVector } from './openai.js';

/** `Response.json()`, typed loosely for assertions. */
const readJson = (res: Response): Promise<any> => res.json();

let mock: MockUpstream;
beforeAll(async () => {
  mock = await startMockUpstream();
});
afterAll(() => mock.close());

const AUTH = { authorization: 'Bearer sk-test' };

function post(path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(mock.url + path, { method: 'POST', headers: { 'content-type': 'application/json', ...AUTH, ...headers }, body: JSON.stringify(body) });
}

/** The JSON payloads of an OpenAI stream, `[DONE]` checked and dropped. */
async function chunks(res: Response): Promise<any[]> {
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
  const events = parseSse(await res.text());
  expect(events.at(-1)?.data).toBe('[DONE]');
  return events.slice(0, -1).map((event) => JSON.parse(event.data));
}

const user = (content: string) => ({ model: 'mock-gpt', messages: [{ role: 'system', content: 'You are terse.' }, { role: 'user', content }] });

const weatherTool = {
  type: 'function',
  function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' }, unit: { type: 'string', enum: ['celsius', 'fahrenheit'] } } } },
};
const timeTool = { type: 'function', function: { name: 'get_time', parameters: { type: 'object', properties: { zone: { type: 'string' } } } } };

describe('OpenAI chat completions', () => {
  it('answers non-streamed with the echo, usage counted in words', async () => {
    const res = await post('/v1/chat/completions', user('Hello there, how are you?'));
    expect(res.status).toBe(200);
    const body = await readJson(res);
    expect(body).toMatchObject({ object: 'chat.completion', model: 'mock-gpt', choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant' } }] });
    expect(body.id).toMatch(/^chatcmpl-/);
    const content: string = body.choices[0].message.content;
    expect(content.startsWith('Echo: Hello there, how are you? lorem')).toBe(true);
    // prompt: "You are terse." (3) + "Hello there, how are you?" (5)
    expect(body.usage).toMatchObject({ prompt_tokens: 8, completion_tokens: 20, total_tokens: 28, prompt_tokens_details: { cached_tokens: 0 } });
    expect(countWords(content)).toBe(20);
  });

  it('streams the same text, without usage unless asked', async () => {
    const whole = (await readJson(await post('/v1/chat/completions', user('Stream me')))).choices[0].message.content;
    const payloads = await chunks(await post('/v1/chat/completions', { ...user('Stream me'), stream: true }));
    expect(payloads[0].choices[0].delta).toEqual({ role: 'assistant', content: '', refusal: null });
    expect(payloads.every((chunk) => chunk.object === 'chat.completion.chunk' && !('usage' in chunk))).toBe(true);
    const text = payloads.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('');
    expect(text).toBe(whole);
    expect(payloads.at(-1).choices[0]).toMatchObject({ delta: {}, finish_reason: 'stop' });
    expect(payloads.length).toBe(1 + 20 + 1);
  });

  it('adds the usage chunk when stream_options.include_usage is set', async () => {
    const payloads = await chunks(await post('/v1/chat/completions', { ...user('count me'), stream: true, stream_options: { include_usage: true } }));
    const last = payloads.at(-1);
    expect(last.choices).toEqual([]);
    expect(last.usage).toMatchObject({ prompt_tokens: 5, completion_tokens: 20, total_tokens: 25 });
    expect(payloads.slice(0, -1).every((chunk) => chunk.usage === null)).toBe(true);
  });

  it('never reports usage with no-usage, even when asked', async () => {
    const streamed = await chunks(await post('/v1/chat/completions', { ...user('x'), stream: true, stream_options: { include_usage: true } }, { 'x-mock-no-usage': '1' }));
    expect(streamed.some((chunk) => 'usage' in chunk)).toBe(false);
    const plain = await readJson(await post('/v1/chat/completions', { ...user('x'), model: 'mock-gpt@nousage' }));
    expect(plain.usage).toBeUndefined();
    expect(plain.model).toBe('mock-gpt');
  });

  it('stops at max_completion_tokens / max_tokens with finish_reason length', async () => {
    const a = await readJson(await post('/v1/chat/completions', { ...user('one two three'), max_completion_tokens: 3 }));
    expect(a.choices[0]).toMatchObject({ finish_reason: 'length', message: { content: 'Echo: one two' } });
    expect(a.usage.completion_tokens).toBe(3);
    const b = await readJson(await post('/v1/chat/completions', { ...user('one two three'), max_tokens: 2 }));
    expect(b.choices[0].message.content).toBe('Echo: one');
  });

  it('gives exactly x-mock-tokens words, in x-mock-chunks pieces', async () => {
    const long = await readJson(await post('/v1/chat/completions', user('go'), { 'x-mock-tokens': '300' }));
    expect(countWords(long.choices[0].message.content)).toBe(300);
    expect(long.usage.completion_tokens).toBe(300);
    const payloads = await chunks(await post('/v1/chat/completions', { ...user('go'), stream: true }, { 'x-mock-tokens': '300', 'x-mock-chunks': '4' }));
    expect(payloads.filter((chunk) => chunk.choices[0]?.delta.content).length).toBe(4);
  });

  it('reports cached prompt tokens when told to', async () => {
    const body = await readJson(await post('/v1/chat/completions', user('a b c d e'), { 'x-mock-cached-tokens': '4' }));
    expect(body.usage.prompt_tokens_details.cached_tokens).toBe(4);
    expect(body.usage.prompt_tokens).toBe(8);
  });

  it('calls the named tool with deterministic arguments', async () => {
    const res = await post('/v1/chat/completions', { ...user('Please call get_weather for me'), tools: [weatherTool, timeTool] });
    const body = await readJson(res);
    expect(body.choices[0].finish_reason).toBe('tool_calls');
    expect(body.choices[0].message.content).toBeNull();
    const [call] = body.choices[0].message.tool_calls;
    expect(body.choices[0].message.tool_calls).toHaveLength(1);
    expect(call).toMatchObject({ type: 'function', function: { name: 'get_weather', arguments: '{"city":"mock-city","unit":"celsius"}' } });
    expect(call.id).toMatch(/^call_/);
    expect(body.usage.completion_tokens).toBe(2);
  });

  it('streams parallel tool calls with the arguments in several deltas', async () => {
    const request = { ...user('call get_weather and get_time'), tools: [weatherTool, timeTool], stream: true };
    const payloads = await chunks(await post('/v1/chat/completions', request));
    const calls: { id: string; name: string; arguments: string; deltas: number }[] = [];
    for (const chunk of payloads) {
      for (const delta of chunk.choices[0]?.delta.tool_calls ?? []) {
        if (delta.id) calls[delta.index] = { id: delta.id, name: delta.function.name, arguments: delta.function.arguments, deltas: 0 };
        else {
          calls[delta.index].arguments += delta.function.arguments;
          calls[delta.index].deltas++;
        }
      }
    }
    expect(calls.map((call) => call.name)).toEqual(['get_weather', 'get_time']);
    expect(JSON.parse(calls[0].arguments)).toEqual({ city: 'mock-city', unit: 'celsius' });
    expect(JSON.parse(calls[1].arguments)).toEqual({ zone: 'mock-zone' });
    expect(calls[0].deltas).toBeGreaterThan(2);
    expect(payloads[0].choices[0].delta.role).toBe('assistant');
    expect(payloads.at(-1).choices[0].finish_reason).toBe('tool_calls');
    const plain = await readJson(await post('/v1/chat/completions', { ...request, stream: false }));
    expect(plain.choices[0].message.tool_calls.map((call: any) => call.id)).toEqual(calls.map((call) => call.id));
  });

  it('answers the tool results with text instead of calling again', async () => {
    const body = await readJson(
      await post('/v1/chat/completions', {
        model: 'mock-gpt',
        tools: [weatherTool],
        messages: [
          { role: 'user', content: 'call get_weather' },
          { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city": "Paris"}' } }] },
          { role: 'tool', tool_call_id: 'call_1', content: 'sunny and 21C' },
        ],
      })
    );
    expect(body.choices[0].finish_reason).toBe('stop');
    expect(body.choices[0].message.content.startsWith('Echo: sunny and 21C')).toBe(true);
    // "call get_weather" (2) + arguments {"city": "Paris"} (2) + "sunny and 21C" (3)
    expect(body.usage.prompt_tokens).toBe(7);
  });

  it('counts array content parts and honours a forced tool_choice', async () => {
    const body = await readJson(
      await post('/v1/chat/completions', {
        model: 'mock-gpt',
        tools: [weatherTool, timeTool],
        tool_choice: { type: 'function', function: { name: 'get_time' } },
        messages: [{ role: 'user', content: [{ type: 'text', text: 'what time' }, { type: 'image_url', image_url: { url: 'data:,' } }, { type: 'text', text: 'is it' }] }],
      })
    );
    expect(body.usage.prompt_tokens).toBe(4);
    expect(body.choices[0].message.tool_calls[0].function.name).toBe('get_time');
  });

  it('answers the same request with the same reply', async () => {
    const request = { ...user('determinism matters'), max_tokens: 12 };
    const [a, b] = await Promise.all([post('/v1/chat/completions', request).then((r) => readJson(r)), post('/v1/chat/completions', request).then((r) => readJson(r))]);
    expect(a.choices).toEqual(b.choices);
    expect(a.usage).toEqual(b.usage);
    expect(a.id).not.toBe(b.id);
  });

  it('rejects what OpenAI rejects, in its error shape', async () => {
    const noMessages = await post('/v1/chat/completions', { model: 'mock-gpt', messages: [] });
    expect(noMessages.status).toBe(400);
    expect((await readJson(noMessages)).error).toMatchObject({ type: 'invalid_request_error', param: null });
    const many = await post('/v1/chat/completions', { ...user('x'), n: 2 });
    expect(many.status).toBe(400);
    expect((await readJson(many)).error.message).toMatch(/n=1/);
    const noModel = await post('/v1/chat/completions', { messages: [{ role: 'user', content: 'x' }] });
    expect(noModel.status).toBe(400);
    const badJson = await fetch(`${mock.url}/v1/chat/completions`, { method: 'POST', headers: AUTH, body: '{not json' });
    expect(badJson.status).toBe(400);
    expect((await readJson(badJson)).error.type).toBe('invalid_request_error');
  });
});

describe('OpenAI legacy completions', () => {
  it('answers non-streamed and streamed alike', async () => {
    const body = await readJson(await post('/v1/completions', { model: 'mock-instruct', prompt: 'Say this is a test', max_tokens: 7 }));
    expect(body).toMatchObject({ object: 'text_completion', model: 'mock-instruct', choices: [{ index: 0, finish_reason: 'length', logprobs: null }] });
    expect(body.choices[0].text).toBe('Echo: Say this is a test lorem');
    expect(body.usage).toEqual({ prompt_tokens: 5, completion_tokens: 7, total_tokens: 12 });
    const payloads = await chunks(await post('/v1/completions', { model: 'mock-instruct', prompt: 'Say this is a test', max_tokens: 7, stream: true }));
    expect(payloads.map((chunk) => chunk.choices[0].text).join('')).toBe(body.choices[0].text);
    expect(payloads.at(-1).choices[0].finish_reason).toBe('length');
    expect(payloads.some((chunk) => 'usage' in chunk)).toBe(false);
  });

  it('adds usage to the stream only when asked', async () => {
    const payloads = await chunks(await post('/v1/completions', { model: 'm', prompt: ['a b', 'c d e'], stream: true, stream_options: { include_usage: true } }));
    expect(payloads.at(-1)).toMatchObject({ choices: [], usage: { prompt_tokens: 5, completion_tokens: 20, total_tokens: 25 } });
  });
});

describe('OpenAI embeddings', () => {
  it('returns deterministic unit vectors of the asked size, with usage', async () => {
    const res = await post('/v1/embeddings', { model: 'text-embedding-3-small', input: ['hello world', 'bye'], dimensions: 8 });
    const body = await readJson(res);
    expect(body).toMatchObject({ object: 'list', model: 'text-embedding-3-small', usage: { prompt_tokens: 3, total_tokens: 3 } });
    expect(body.data.map((item: any) => [item.object, item.index, item.embedding.length])).toEqual([
      ['embedding', 0, 8],
      ['embedding', 1, 8],
    ]);
    const norm = Math.hypot(...body.data[0].embedding);
    expect(norm).toBeCloseTo(1, 5);
    expect(body.data[0].embedding).not.toEqual(body.data[1].embedding);
    const again = await readJson(await post('/v1/embeddings', { model: 'text-embedding-3-small', input: 'hello world', dimensions: 8 }));
    expect(again.data[0].embedding).toEqual(body.data[0].embedding);
    expect(Array.from(embeddingVector('hello world', 8))).toEqual(body.data[0].embedding);
  });

  it('defaults to 1536 (3072 for large models) and encodes base64 as little-endian float32', async () => {
    const small = await readJson(await post('/v1/embeddings', { model: 'text-embedding-3-small', input: 'x' }));
    expect(small.data[0].embedding).toHaveLength(1536);
    const large = await readJson(await post('/v1/embeddings', { model: 'text-embedding-3-large', input: [[1, 2, 3]] }));
    expect(large.data[0].embedding).toHaveLength(3072);
    expect(large.usage.prompt_tokens).toBe(3);
    const encoded = await readJson(await post('/v1/embeddings', { model: 'text-embedding-3-small', input: 'x', encoding_format: 'base64' }));
    const bytes = Buffer.from(encoded.data[0].embedding, 'base64');
    const floats = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
    expect(Array.from(floats)).toEqual(small.data[0].embedding);
  });

  it('rejects empty input', async () => {
    expect((await post('/v1/embeddings', { model: 'm', input: '' })).status).toBe(400);
    expect((await post('/v1/embeddings', { model: 'm', input: [] })).status).toBe(400);
    expect((await post('/v1/embeddings', { model: 'm', input: 'x', dimensions: 0 })).status).toBe(400);
  });
});

describe('OpenAI models and Azure paths', () => {
  it('lists and retrieves models', async () => {
    const list = await readJson(await fetch(`${mock.url}/v1/models`, { headers: AUTH }));
    expect(list.object).toBe('list');
    expect(list.data.map((model: any) => model.id)).toContain('mock-gpt');
    const one = await readJson(await fetch(`${mock.url}/v1/models/gpt-4o-mini`, { headers: AUTH }));
    expect(one).toMatchObject({ id: 'gpt-4o-mini', object: 'model' });
  });

  it('serves Azure deployment paths with the api-key header', async () => {
    const res = await fetch(`${mock.url}/openai/deployments/my-gpt/chat/completions?api-version=2024-10-21`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'api-key': 'azure-key' },
      body: JSON.stringify({ messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(res.status).toBe(200);
    expect((await readJson(res)).model).toBe('my-gpt');
  });
});
