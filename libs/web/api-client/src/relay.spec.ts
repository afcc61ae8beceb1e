// @vitest-environment node
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SseDecoder, streamChat } from './relay.js';

describe('SseDecoder', () => {
  it('yields data payloads across arbitrary chunk boundaries', () => {
    const d = new SseDecoder();
    expect(d.push('data: {"a":')).toEqual([]);
    expect(d.push('1}\n\nda')).toEqual(['{"a":1}']);
    expect(d.push('ta: [DONE]\r\n\r\n: comment\n\n')).toEqual(['[DONE]']);
  });
});

describe('streamChat', () => {
  let server: Server;
  let url = '';
  beforeAll(async () => {
    // Writes each SSE event separately with a pause, as the relay does while an upstream generates.
    server = createServer((req, res) => {
      if (req.headers.authorization !== 'Bearer tg-good') {
        res.writeHead(401, { 'content-type': 'application/json' });
        return res.end(JSON.stringify({ error: { message: 'Invalid API key', type: 'invalid_request_error', code: 'invalid_api_key' } }));
      }
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const events = ['Hel', 'lo', ' there'].map((c) => ({ choices: [{ index: 0, delta: { content: c }, finish_reason: null }] }));
      events.push({ choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] } as never);
      const usage = { choices: [], usage: { prompt_tokens: 3, completion_tokens: 3, total_tokens: 6 } };
      let i = 0;
      const tick = () => {
        if (i < events.length) res.write(`data: ${JSON.stringify(events[i++])}\n\n`);
        else return res.end(`data: ${JSON.stringify(usage)}\n\ndata: [DONE]\n\n`);
        setTimeout(tick, 15);
      };
      tick();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('hands each delta over as it arrives and reports the usage', async () => {
    const seen: string[] = [];
    const result = await streamChat({ baseUrl: url, apiKey: 'tg-good', model: 'm', messages: [{ role: 'user', content: 'hi' }], onDelta: (d) => seen.push(d) });
    expect(seen).toEqual(['Hel', 'lo', ' there']);
    expect(result).toEqual({ finishReason: 'stop', usage: { prompt_tokens: 3, completion_tokens: 3, total_tokens: 6 } });
  });

  it('stops when aborted', async () => {
    const controller = new AbortController();
    const seen: string[] = [];
    const run = streamChat({ baseUrl: url, apiKey: 'tg-good', model: 'm', messages: [], signal: controller.signal, onDelta: (d) => (seen.push(d), controller.abort()) });
    await expect(run).rejects.toThrow();
    expect(seen).toEqual(['Hel']);
  });

  it("surfaces the relay's error message", async () => {
    await expect(streamChat({ baseUrl: url, apiKey: 'tg-bad', model: 'm', messages: [], onDelta: () => undefined })).rejects.toMatchObject({ status: 401, message: 'Invalid API key', code: 'invalid_api_key' });
  });
});
