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

const HEADERS = { 'content-type': 'application/json', 'x-api-key': 'sk-ant-test', 'anthropic-version': '2023-06-01' };

function post(path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(mock.url + path, { method: 'POST', headers: { ...HEADERS, ...headers }, body: JSON.stringify(body) });
}

async function events(res: Response): Promise<{ event: string | undefined; data: any }[]> {
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
  return parseSse(await res.text()).map((event) => ({ event: event.event, data: JSON.parse(event.data) }));
}

const request = (text: string, extra: Record<string, unknown> = {}) => ({
  model: 'mock-claude',
  max_tokens: 1024,
  system: 'Be brief.',
  messages: [{ role: 'user', content: text }],
  ...extra,
});

const lookup = { name: 'lookup', description: 'Find things', input_schema: { type: 'object', properties: { query: { type: 'string' }, limit: { type: 'integer' } } } };
const clock = { name: 'clock', input_schema: { type: 'object', properties: {} } };

describe('Anthropic messages', () => {
  it('answers non-streamed with a text block and usage', async () => {
    const body = await readJson(await post('/v1/messages', request('Hello Claude, nice to meet you')));
    expect(body).toMatchObject({ type: 'message', role: 'assistant', model: 'mock-claude', stop_reason: 'end_turn', stop_sequence: null });
    expect(body.id).toMatch(/^msg_/);
    expect(body.content).toHaveLength(1);
    expect(body.content[0].type).toBe('text');
    expect(body.content[0].text.startsWith('Echo: Hello Claude, nice to meet you lorem')).toBe(true);
    // "Be brief." (2) + 6 words
    expect(body.usage).toEqual({ input_tokens: 8, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 20, service_tier: 'standard' });
  });

  it('streams the real event sequence', async () => {
    const list = await events(await post('/v1/messages', request('stream please', { stream: true, max_tokens: 4 })));
    expect(list.map((e) => e.event)).toEqual([
      'message_start',
      'content_block_start',
      'ping',
      'content_block_delta',
      'content_block_delta',
      'content_block_delta',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    expect(list.every((e) => e.event === e.data.type)).toBe(true);
    expect(list[0].data.message).toMatchObject({ role: 'assistant', content: [], stop_reason: null, usage: { input_tokens: 4, output_tokens: 1 } });
    expect(list[1].data).toEqual({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } });
    const text = list.filter((e) => e.event === 'content_block_delta').map((e) => e.data.delta.text).join('');
    expect(text).toBe('Echo: stream please lorem');
    expect(list[3].data.delta.type).toBe('text_delta');
    expect(list[8].data).toEqual({ type: 'message_delta', delta: { stop_reason: 'max_tokens', stop_sequence: null }, usage: { output_tokens: 4 } });
  });

  it('reports cache reads and writes apart from input_tokens', async () => {
    const body = await readJson(await post('/v1/messages', request('one two three four five six'), { 'x-mock-cached-tokens': '3', 'x-mock-cache-write-tokens': '2' }));
    expect(body.usage).toMatchObject({ input_tokens: 3, cache_read_input_tokens: 3, cache_creation_input_tokens: 2 });
    const streamed = await events(await post('/v1/messages', request('one two three four five six', { model: 'mock-claude@cached=5', stream: true })));
    expect(streamed[0].data.message.usage).toMatchObject({ input_tokens: 3, cache_read_input_tokens: 5, cache_creation_input_tokens: 0 });
  });

  it('omits usage with no-usage', async () => {
    const body = await readJson(await post('/v1/messages', request('x', { model: 'mock-claude@nousage' })));
    expect(body.usage).toBeUndefined();
    const streamed = await events(await post('/v1/messages', request('x', { stream: true }), { 'x-mock-no-usage': 'true' }));
    expect(streamed.some((e) => 'usage' in e.data || 'usage' in (e.data.message ?? {}))).toBe(false);
  });

  it('answers "call <tool>" with a tool_use block', async () => {
    const body = await readJson(await post('/v1/messages', request('please call lookup', { tools: [lookup, clock] })));
    expect(body.stop_reason).toBe('tool_use');
    expect(body.content).toEqual([{ type: 'tool_use', id: expect.stringMatching(/^toolu_/), name: 'lookup', input: { query: 'mock-query', limit: 42 } }]);
    expect(body.usage.output_tokens).toBe(2);
  });

  it('streams parallel tool_use blocks with input_json_delta', async () => {
    const list = await events(await post('/v1/messages', request('call lookup and clock', { tools: [lookup, clock], stream: true })));
    const blocks: { name: string; json: string; deltas: number }[] = [];
    for (const { data } of list) {
      if (data.type === 'content_block_start') {
        expect(data.content_block).toMatchObject({ type: 'tool_use', input: {} });
        blocks[data.index] = { name: data.content_block.name, json: '', deltas: 0 };
      } else if (data.type === 'content_block_delta') {
        expect(data.delta.type).toBe('input_json_delta');
        blocks[data.index].json += data.delta.partial_json;
        blocks[data.index].deltas++;
      }
    }
    expect(blocks.map((block) => block.name)).toEqual(['lookup', 'clock']);
    expect(JSON.parse(blocks[0].json)).toEqual({ query: 'mock-query', limit: 42 });
    expect(JSON.parse(blocks[1].json)).toEqual({});
    expect(blocks[0].deltas).toBeGreaterThan(2);
    expect(list.filter((e) => e.event === 'content_block_stop').map((e) => e.data.index)).toEqual([0, 1]);
    expect(list.at(-2)?.data.delta.stop_reason).toBe('tool_use');
  });

  it('answers tool results with text, counting tool_use and tool_result words', async () => {
    const body = await readJson(
      await post('/v1/messages', {
        model: 'mock-claude',
        max_tokens: 100,
        tools: [lookup],
        messages: [
          { role: 'user', content: 'call lookup' },
          { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'lookup', input: { query: 'cats' } }] },
          { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: [{ type: 'text', text: 'three cats found' }] }] },
        ],
      })
    );
    expect(body.stop_reason).toBe('end_turn');
    expect(body.content[0].text.startsWith('Echo: three cats found')).toBe(true);
    expect(body.usage.input_tokens).toBe(2 + 1 + 3);
  });

  it('honours tool_choice tool and none', async () => {
    const forced = await readJson(await post('/v1/messages', request('hello', { tools: [lookup, clock], tool_choice: { type: 'tool', name: 'clock' } })));
    expect(forced.content[0]).toMatchObject({ type: 'tool_use', name: 'clock' });
    const none = await readJson(await post('/v1/messages', request('call lookup', { tools: [lookup], tool_choice: { type: 'none' } })));
    expect(none.content[0].type).toBe('text');
  });

  it('rejects a request without max_tokens like Anthropic', async () => {
    const res = await post('/v1/messages', { model: 'mock-claude', messages: [{ role: 'user', content: 'x' }] });
    expect(res.status).toBe(400);
    expect(await readJson(res)).toMatchObject({ type: 'error', error: { type: 'invalid_request_error', message: 'max_tokens: Field required' } });
  });

  it('is deterministic', async () => {
    const a = await readJson(await post('/v1/messages', request('same again', { tools: [lookup] })));
    const b = await readJson(await post('/v1/messages', request('same again', { tools: [lookup] })));
    expect(a.content).toEqual(b.content);
    expect(a.usage).toEqual(b.usage);
  });
});

describe('Anthropic count_tokens and models', () => {
  it('counts the prompt words', async () => {
    const res = await post('/v1/messages/count_tokens', { model: 'mock-claude', system: [{ type: 'text', text: 'sys tem' }], messages: [{ role: 'user', content: 'a b c' }] });
    expect(await readJson(res)).toEqual({ input_tokens: 5 });
  });

  it('lists models in the Anthropic shape when anthropic-version is sent', async () => {
    const body = await readJson(await fetch(`${mock.url}/v1/models`, { headers: HEADERS }));
    expect(body).toMatchObject({ has_more: false, first_id: 'mock-claude' });
    expect(body.data[0]).toMatchObject({ type: 'model', id: 'mock-claude' });
  });

  it('accepts a Bearer token as well as x-api-key', async () => {
    const res = await fetch(`${mock.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer oauth-token', 'anthropic-version': '2023-06-01' },
      body: JSON.stringify(request('x')),
    });
    expect(res.status).toBe(200);
  });
});
