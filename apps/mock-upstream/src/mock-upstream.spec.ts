import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { parseSse } from './http-io.js';
import { startMockUpstream, type MockUpstream } from './mock-upstream.js';
import { draw } from './words.js';

/** `Response.json()`, typed loosely for assertions. */
const readJson = (res: Response): Promise<any> => res.json();

let mock: MockUpstream;
beforeAll(async () => {
  mock = await startMockUpstream();
});
afterEach(() => mock.reset());
afterAll(() => mock.close());

type Provider = 'openai' | 'anthropic' | 'gemini';

/** A minimal valid request of each surface, with its key in the provider's own place. */
function send(provider: Provider, options: { key?: string | null; model?: string; stream?: boolean; headers?: Record<string, string> } = {}): Promise<Response> {
  const key = options.key === undefined ? 'sk-good' : options.key;
  const headers: Record<string, string> = { 'content-type': 'application/json', ...options.headers };
  let path: string;
  let body: unknown;
  if (provider === 'openai') {
    if (key !== null) headers.authorization = `Bearer ${key}`;
    path = '/v1/chat/completions';
    body = { model: options.model ?? 'mock-gpt', stream: options.stream ?? false, messages: [{ role: 'user', content: 'hi' }] };
  } else if (provider === 'anthropic') {
    if (key !== null) headers['x-api-key'] = key;
    headers['anthropic-version'] = '2023-06-01';
    path = '/v1/messages';
    body = { model: options.model ?? 'mock-claude', max_tokens: 100, stream: options.stream ?? false, messages: [{ role: 'user', content: 'hi' }] };
  } else {
    if (key !== null) headers['x-goog-api-key'] = key;
    const model = encodeURIComponent(options.model ?? 'mock-gemini');
    path = options.stream ? `/v1beta/models/${model}:streamGenerateContent?alt=sse` : `/v1beta/models/${model}:generateContent`;
    body = { contents: [{ role: 'user', parts: [{ text: 'hi' }] }] };
  }
  return fetch(mock.url + path, { method: 'POST', headers, body: JSON.stringify(body) });
}

/** Reads a body until it ends or breaks: the text received and whether it broke. */
async function drain(res: Response): Promise<{ text: string; broken: boolean }> {
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return { text, broken: false };
      text += decoder.decode(value, { stream: true });
    }
  } catch {
    return { text, broken: true };
  }
}

describe('auth', () => {
  it('answers 401 in each provider shape when the key is missing or empty', async () => {
    const openai = await send('openai', { key: null });
    expect(openai.status).toBe(401);
    expect((await readJson(openai)).error).toMatchObject({ type: 'invalid_request_error', code: null });
    const empty = await send('openai', { key: '' });
    expect(empty.status).toBe(401);
    const anthropic = await send('anthropic', { key: null });
    expect(anthropic.status).toBe(401);
    expect(await readJson(anthropic)).toMatchObject({ type: 'error', error: { type: 'authentication_error', message: 'x-api-key header is required' } });
    const gemini = await send('gemini', { key: null });
    expect(gemini.status).toBe(401);
    expect((await readJson(gemini)).error).toMatchObject({ code: 401, status: 'UNAUTHENTICATED' });
  });

  it('does not take one provider key header for another', async () => {
    const res = await fetch(`${mock.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': 'sk-ant' },
      body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'x' }] }),
    });
    expect(res.status).toBe(401);
  });

  it('answers revoked keys as each provider does', async () => {
    mock.configure({ revokedKeys: ['sk-revoked'] });
    const openai = await send('openai', { key: 'sk-revoked' });
    expect(openai.status).toBe(401);
    const error = (await readJson(openai)).error;
    expect(error).toMatchObject({ type: 'invalid_request_error', code: 'invalid_api_key' });
    expect(error.message).toContain('sk-*');
    expect(error.message).not.toContain('sk-revoked');
    const anthropic = await send('anthropic', { key: 'sk-revoked' });
    expect(anthropic.status).toBe(401);
    expect((await readJson(anthropic)).error).toEqual({ type: 'authentication_error', message: 'invalid x-api-key' });
    const gemini = await send('gemini', { key: 'sk-revoked' });
    expect(gemini.status).toBe(403);
    expect((await readJson(gemini)).error).toMatchObject({ code: 403, status: 'PERMISSION_DENIED' });
    expect((await send('openai')).status).toBe(200);
  });

  it('answers out-of-balance keys as each provider does', async () => {
    const control = await fetch(`${mock.url}/__control`, { method: 'POST', body: JSON.stringify({ insufficientBalanceKeys: ['sk-broke'] }) });
    expect(control.status).toBe(200);
    const openai = await send('openai', { key: 'sk-broke' });
    expect(openai.status).toBe(429);
    expect((await readJson(openai)).error).toMatchObject({ type: 'insufficient_quota', code: 'insufficient_quota' });
    const anthropic = await send('anthropic', { key: 'sk-broke' });
    expect(anthropic.status).toBe(400);
    expect((await readJson(anthropic)).error).toMatchObject({ type: 'invalid_request_error', message: expect.stringContaining('credit balance is too low') });
    const gemini = await send('gemini', { key: 'sk-broke' });
    expect(gemini.status).toBe(429);
    expect((await readJson(gemini)).error).toMatchObject({ status: 'RESOURCE_EXHAUSTED' });
  });
});

describe('forced failures', () => {
  const cases: { fail: string; provider: Provider; status: number; check: (body: any) => void }[] = [
    { fail: '429', provider: 'openai', status: 429, check: (b) => expect(b.error.code).toBe('rate_limit_exceeded') },
    { fail: '500', provider: 'openai', status: 500, check: (b) => expect(b.error.type).toBe('server_error') },
    { fail: '503', provider: 'openai', status: 503, check: (b) => expect(b.error.type).toBe('server_error') },
    { fail: '401', provider: 'openai', status: 401, check: (b) => expect(b.error.code).toBe('invalid_api_key') },
    { fail: 'insufficient_balance', provider: 'openai', status: 429, check: (b) => expect(b.error.code).toBe('insufficient_quota') },
    { fail: '429', provider: 'anthropic', status: 429, check: (b) => expect(b.error.type).toBe('rate_limit_error') },
    { fail: '500', provider: 'anthropic', status: 500, check: (b) => expect(b.error.type).toBe('api_error') },
    { fail: '503', provider: 'anthropic', status: 503, check: (b) => expect(b.error.type).toBe('overloaded_error') },
    { fail: '529', provider: 'anthropic', status: 529, check: (b) => expect(b.error.type).toBe('overloaded_error') },
    { fail: '401', provider: 'anthropic', status: 401, check: (b) => expect(b.error.type).toBe('authentication_error') },
    { fail: 'insufficient_balance', provider: 'anthropic', status: 400, check: (b) => expect(b.error.message).toMatch(/credit balance/) },
    { fail: '429', provider: 'gemini', status: 429, check: (b) => expect(b.error.status).toBe('RESOURCE_EXHAUSTED') },
    { fail: '500', provider: 'gemini', status: 500, check: (b) => expect(b.error.status).toBe('INTERNAL') },
    { fail: '503', provider: 'gemini', status: 503, check: (b) => expect(b.error.status).toBe('UNAVAILABLE') },
    { fail: '401', provider: 'gemini', status: 401, check: (b) => expect(b.error.details[0].reason).toBe('API_KEY_INVALID') },
    { fail: 'insufficient_balance', provider: 'gemini', status: 429, check: (b) => expect(b.error.message).toMatch(/quota/) },
  ];

  it.each(cases)('x-mock-fail: $fail on $provider answers $status in its shape', async ({ fail, provider, status, check }) => {
    const res = await send(provider, { headers: { 'x-mock-fail': fail }, stream: true });
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toBe('application/json');
    check(await readJson(res));
  });

  it('takes the failure from the model name too', async () => {
    const openai = await send('openai', { model: 'mock-gpt@fail=500' });
    expect(openai.status).toBe(500);
    const gemini = await send('gemini', { model: 'mock-gemini@fail=503' });
    expect(gemini.status).toBe(503);
    const anthropic = await send('anthropic', { model: 'mock-claude@fail=insufficient_balance' });
    expect(anthropic.status).toBe(400);
  });

  it('adds retry-after when asked', async () => {
    const res = await send('openai', { headers: { 'x-mock-fail': '429', 'x-mock-retry-after': '2' } });
    expect(res.headers.get('retry-after')).toBe('2');
  });

  it('fails a deterministic share of requests with x-mock-fail-rate and x-mock-seed', async () => {
    const run = async (): Promise<number[]> => {
      const statuses: number[] = [];
      for (let i = 0; i < 40; i++) statuses.push((await send('openai', { headers: { 'x-mock-fail-rate': '0.3', 'x-mock-seed': 'spec-seed' } })).status);
      return statuses;
    };
    const first = await run();
    const expected = Array.from({ length: 40 }, (_, i) => (draw('spec-seed', i) < 0.3 ? 500 : 200));
    expect(first).toEqual(expected);
    const failures = first.filter((status) => status === 500).length;
    expect(failures).toBeGreaterThan(4);
    expect(failures).toBeLessThan(24);
    mock.reset();
    expect(await run()).toEqual(first);
  });

  it('draws from the model suffix with its own status', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 20; i++) statuses.push((await send('anthropic', { model: 'mock-claude@failRate=0.5,seed=s2,failStatus=529' })).status);
    expect(new Set(statuses)).toEqual(new Set([200, 529]));
    expect(statuses).toEqual(Array.from({ length: 20 }, (_, i) => (draw('s2', i) < 0.5 ? 529 : 200)));
  });

  it('answers 400 for a control it cannot parse', async () => {
    const header = await send('openai', { headers: { 'x-mock-fail': 'sometimes' } });
    expect(header.status).toBe(400);
    expect((await readJson(header)).error.message).toMatch(/x-mock-fail/);
    const suffix = await send('anthropic', { model: 'mock-claude@fial=500' });
    expect(suffix.status).toBe(400);
    expect((await readJson(suffix)).error.message).toMatch(/unknown control "fial"/);
  });
});

describe('mid-stream disconnect', () => {
  it.each(['openai', 'anthropic', 'gemini'] as const)('cuts the %s stream after N frames', async (provider) => {
    const res = await send(provider, { stream: true, headers: { 'x-mock-disconnect-after': '3' } });
    expect(res.status).toBe(200);
    const { text, broken } = await drain(res);
    expect(broken).toBe(true);
    expect(parseSse(text)).toHaveLength(3);
  });

  it('cuts from the model suffix, with chunk delays, and right after the headers with 0', async () => {
    const paced = await send('openai', { stream: true, model: 'mock-gpt@disconnect=5,delay=5' });
    const result = await drain(paced);
    expect(result.broken).toBe(true);
    expect(parseSse(result.text)).toHaveLength(5);
    expect(result.text).not.toContain('[DONE]');
    const immediate = await send('openai', { stream: true, headers: { 'x-mock-disconnect-after': '0' } });
    expect(immediate.status).toBe(200);
    expect(await drain(immediate)).toEqual({ text: '', broken: true });
  });

  it('drops a non-streamed request before any byte', async () => {
    await expect(send('openai', { headers: { 'x-mock-disconnect-after': '1' } })).rejects.toThrow();
  });

  it('finishes normally when N is past the end of the stream', async () => {
    const res = await send('openai', { stream: true, headers: { 'x-mock-disconnect-after': '1000' } });
    const { text, broken } = await drain(res);
    expect(broken).toBe(false);
    expect(text).toContain('[DONE]');
  });
});

describe('pacing', () => {
  it('waits x-mock-latency-ms before the first byte', async () => {
    const started = performance.now();
    const res = await send('openai', { headers: { 'x-mock-latency-ms': '150' } });
    expect(res.status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
    const quick = performance.now();
    await readJson(await send('openai'));
    expect(performance.now() - quick).toBeLessThan(140);
  });

  it('delays failures too, and takes latency from the model name', async () => {
    const started = performance.now();
    const res = await send('gemini', { model: 'mock-gemini@latency=120,fail=500' });
    expect(res.status).toBe(500);
    expect(performance.now() - started).toBeGreaterThanOrEqual(110);
  });

  it('spaces stream frames by x-mock-chunk-delay-ms', async () => {
    const started = performance.now();
    const res = await send('anthropic', { stream: true, headers: { 'x-mock-chunk-delay-ms': '30', 'x-mock-tokens': '3' } });
    const firstByte = performance.now() - started;
    const { text } = await drain(res);
    const total = performance.now() - started;
    // message_start, content_block_start, ping, 3 deltas, content_block_stop, message_delta, message_stop: 9 frames, 8 gaps.
    expect(parseSse(text)).toHaveLength(9);
    expect(firstByte).toBeLessThan(200);
    expect(total).toBeGreaterThanOrEqual(8 * 30 - 10);
  });
});

describe('recorded requests, control endpoint, routing', () => {
  it('records method, path, headers and parsed body of every request', async () => {
    await send('openai', { headers: { 'x-trace': 'abc' } });
    await fetch(`${mock.url}/v1beta/models/mock-gemini:generateContent?key=qk`, { method: 'POST', body: JSON.stringify({ contents: [{ parts: [{ text: 'x' }] }] }) });
    await fetch(`${mock.url}/v1/models`, { headers: { authorization: 'Bearer k' } });
    expect(mock.requests.map((r) => [r.method, r.path])).toEqual([
      ['POST', '/v1/chat/completions'],
      ['POST', '/v1beta/models/mock-gemini:generateContent'],
      ['GET', '/v1/models'],
    ]);
    expect(mock.requests[0].headers['x-trace']).toBe('abc');
    expect(mock.requests[0].headers.authorization).toBe('Bearer sk-good');
    expect(mock.requests[0].body).toEqual({ model: 'mock-gpt', stream: false, messages: [{ role: 'user', content: 'hi' }] });
    expect(mock.requests[1].url).toBe('/v1beta/models/mock-gemini:generateContent?key=qk');
    expect(mock.requests[2].body).toBeUndefined();
    mock.reset();
    expect(mock.requests).toHaveLength(0);
  });

  it('records failed requests too, so retries can be counted', async () => {
    await send('openai', { headers: { 'x-mock-fail': '503' } });
    await send('openai', { key: null });
    expect(mock.requests).toHaveLength(2);
  });

  it('sets, reads and clears process-wide defaults through /__control', async () => {
    const set = await fetch(`${mock.url}/__control`, { method: 'POST', body: JSON.stringify({ fail: 503, latencyMs: 0 }) });
    expect(await readJson(set)).toEqual({ fail: 503, latencyMs: 0 });
    expect((await send('anthropic')).status).toBe(503);
    // A request's own controls win over the defaults.
    expect((await send('anthropic', { model: 'mock-claude@fail=429' })).status).toBe(429);
    expect(await readJson(await fetch(`${mock.url}/__control`))).toEqual({ fail: 503, latencyMs: 0 });
    await fetch(`${mock.url}/__control`, { method: 'DELETE' });
    expect((await send('anthropic')).status).toBe(200);
    expect(mock.requests).toHaveLength(3);
  });

  it('rejects bad control bodies', async () => {
    const res = await fetch(`${mock.url}/__control`, { method: 'POST', body: JSON.stringify({ failRate: 2 }) });
    expect(res.status).toBe(400);
    expect((await fetch(`${mock.url}/__control`, { method: 'POST', body: 'nope' })).status).toBe(400);
  });

  it('restores startup settings on reset', async () => {
    const other = await startMockUpstream({ settings: { noUsage: true }, record: false });
    try {
      other.configure({ fail: 500 });
      const call = () =>
        fetch(`${other.url}/v1/chat/completions`, {
          method: 'POST',
          headers: { authorization: 'Bearer k' },
          body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'x' }] }),
        });
      expect((await call()).status).toBe(500);
      other.reset();
      const body = await readJson(await call());
      expect(body.usage).toBeUndefined();
      expect(other.requests).toHaveLength(0);
    } finally {
      await other.close();
    }
  });

  it('answers unknown paths with 404 in the likely provider shape', async () => {
    const openai = await fetch(`${mock.url}/v1/nothing`, { headers: { authorization: 'Bearer k' } });
    expect(openai.status).toBe(404);
    expect((await readJson(openai)).error.message).toBe('Invalid URL (GET /v1/nothing)');
    const gemini = await fetch(`${mock.url}/v1beta/models/x:explode`, { method: 'POST', body: '{}' });
    expect((await readJson(gemini)).error.status).toBe('NOT_FOUND');
    const wrongMethod = await fetch(`${mock.url}/v1/messages`, { headers: { 'anthropic-version': '2023-06-01' } });
    expect(wrongMethod.status).toBe(404);
    expect((await readJson(wrongMethod)).error.type).toBe('not_found_error');
  });

  it('serves many concurrent requests on kept-alive connections and closes with them open', async () => {
    const other = await startMockUpstream();
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        fetch(`${other.url}/v1/chat/completions`, {
          method: 'POST',
          headers: { authorization: 'Bearer k' },
          body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: `n${i}` }] }),
        }).then((res) => readJson(res)),
      ),
    );
    expect(results.map((body) => body.choices[0].message.content.split(' ')[1])).toEqual(Array.from({ length: 50 }, (_, i) => `n${i}`));
    expect(other.requests).toHaveLength(50);
    await other.close();
    await expect(fetch(`${other.url}/v1/models`)).rejects.toThrow();
  });
});
