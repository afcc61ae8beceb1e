import Anthropic from '@anthropic-ai/sdk';
import { type FunctionCall, GoogleGenAI } from '@google/genai';
import { type MockUpstream, startMockUpstream } from '@tiergate/mock-upstream';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Api } from './support/api-client.js';
import { charged, expectedCharge, type RelayTree, setupRelayTree } from './support/relay-tree.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/** A 1×1 PNG. */
const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';
const WEATHER_SCHEMA = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] };
const TIME_SCHEMA = { type: 'object', properties: { zone: { type: 'string' } }, required: ['zone'] };

type Protocol = 'openai' | 'anthropic' | 'gemini';
/** One upstream per protocol, all on the mock; the slow twin spaces its stream frames. */
const UPSTREAMS: { protocol: Protocol; path: string; upstreamModel: string }[] = [
  { protocol: 'openai', path: '/v1', upstreamModel: 'mock-gpt' },
  { protocol: 'anthropic', path: '/v1', upstreamModel: 'mock-claude' },
  { protocol: 'gemini', path: '/v1beta', upstreamModel: 'mock-gemini' },
];

/** What one relayed call left behind: the answer's text and the usage the client was told. */
interface Turn {
  text: string;
  prompt: number;
  completion: number;
}

/** How the image reached the upstream, in the upstream's own wire shape. */
function imageUpstream(protocol: Protocol, body: Record<string, any>): unknown {
  const all = JSON.stringify(body);
  if (protocol === 'openai') return all.includes(`"url":"data:image/png;base64,${PNG}"`);
  if (protocol === 'anthropic') return all.includes(`"source":{"type":"base64","media_type":"image/png","data":"${PNG}"}`);
  return all.includes(`"inlineData":{"mimeType":"image/png","data":"${PNG}"}`);
}

/**
 * The official Anthropic, Google Gen AI and OpenAI clients, unchanged but for base URL and key,
 * against the relay against an upstream of each protocol: the nine combinations, each with
 * text, a stream, a streamed parallel tool call and its round trip, and an image; exact charges
 * at every level of master → agent → tenant → user.
 */
describe('every surface against every upstream protocol, with the official clients', () => {
  let t: TestApp;
  let mock: MockUpstream;
  let tree: RelayTree;
  let anthropic: Anthropic;
  let gemini: GoogleGenAI;
  let openai: OpenAI;

  beforeAll(async () => {
    mock = await startMockUpstream({ port: 0 });
    t = await startTestApp();
    tree = await setupRelayTree(
      new Api(t.baseUrl),
      UPSTREAMS.map((u) => ({
        name: `mock-${u.protocol}`,
        provider: u.protocol,
        baseUrl: `${mock.url}${u.path}`,
        models: {
          [`m-${u.protocol}`]: u.upstreamModel,
          [`m-${u.protocol}-slow`]: `${u.upstreamModel}@chunkdelay=40,tokens=30`,
          // The mock reports 3 prompt tokens read from the cache, and (Anthropic only) 2 written to it.
          [`m-${u.protocol}-cached`]: `${u.upstreamModel}@cached=3,cacheWrite=2`,
        },
      })),
    );
    anthropic = new Anthropic({ baseURL: t.baseUrl, apiKey: tree.key, maxRetries: 0 });
    gemini = new GoogleGenAI({ apiKey: tree.key, httpOptions: { baseUrl: t.baseUrl } });
    openai = new OpenAI({ baseURL: `${t.baseUrl}/v1`, apiKey: tree.key, maxRetries: 0 });
  });
  afterAll(async () => {
    await t?.close();
    await mock?.close();
  });

  /** Runs one call and checks the charge at every level equals the usage the client was told. */
  async function billed(call: () => Promise<Turn>): Promise<Turn> {
    const before = await tree.used();
    const turn = await call();
    expect(turn.prompt).toBeGreaterThan(0);
    expect(turn.completion).toBeGreaterThan(0);
    expect(charged(before, await tree.used())).toEqual(expectedCharge(turn.prompt, turn.completion));
    return turn;
  }

  const anthropicPrompt = (u: Anthropic.Usage) => u.input_tokens + (u.cache_read_input_tokens ?? 0) + (u.cache_creation_input_tokens ?? 0);
  const anthropicText = (m: Anthropic.Message) => m.content.map((b) => (b.type === 'text' ? b.text : '')).join('');

  describe.each(UPSTREAMS)('upstream speaking $protocol', ({ protocol }) => {
    const model = `m-${protocol}`;

    describe('Anthropic client (@anthropic-ai/sdk)', () => {
      it('answers a message with a system prompt', async () => {
        const turn = await billed(async () => {
          const m = await anthropic.messages.create({ model, max_tokens: 12, system: 'be brief', messages: [{ role: 'user', content: 'hello there relay' }] });
          expect(m.model).toBe(model);
          expect(m.stop_reason).toBe('max_tokens');
          return { text: anthropicText(m), prompt: anthropicPrompt(m.usage), completion: m.usage.output_tokens };
        });
        expect(turn.text).toMatch(/^Echo: hello there relay/);
        // The mock counts words: the system prompt and the message, whatever protocol carried them.
        expect(turn.prompt).toBe(5);
        expect(turn.completion).toBe(12);
      });

      it('streams a message', async () => {
        await billed(async () => {
          const stream = anthropic.messages.stream({ model, max_tokens: 9, messages: [{ role: 'user', content: 'stream me please' }] });
          let deltas = 0;
          stream.on('text', () => deltas++);
          const m = await stream.finalMessage();
          expect(deltas).toBeGreaterThan(1);
          expect(anthropicText(m)).toMatch(/^Echo: stream me please/);
          return { text: anthropicText(m), prompt: anthropicPrompt(m.usage), completion: m.usage.output_tokens };
        });
      });

      it('streams parallel tool calls and takes their results back', async () => {
        const tools: Anthropic.Tool[] = [
          { name: 'get_weather', description: 'Weather in a city', input_schema: WEATHER_SCHEMA as Anthropic.Tool.InputSchema },
          { name: 'get_time', input_schema: TIME_SCHEMA as Anthropic.Tool.InputSchema },
        ];
        const question: Anthropic.MessageParam = { role: 'user', content: 'please call get_weather and get_time' };
        let first!: Anthropic.Message;
        await billed(async () => {
          first = await anthropic.messages.stream({ model, max_tokens: 200, tools, messages: [question] }).finalMessage();
          return { text: '', prompt: anthropicPrompt(first.usage), completion: first.usage.output_tokens };
        });
        expect(first.stop_reason).toBe('tool_use');
        const calls = first.content.filter((b): b is Anthropic.ToolUseBlock => b.type === 'tool_use');
        expect(calls.map((c) => [c.name, c.input])).toEqual([
          ['get_weather', { city: 'mock-city' }],
          ['get_time', { zone: 'mock-zone' }],
        ]);
        const turn = await billed(async () => {
          const m = await anthropic.messages.create({
            model,
            max_tokens: 200,
            tools,
            messages: [
              question,
              { role: 'assistant', content: first.content },
              { role: 'user', content: calls.map((c, i) => ({ type: 'tool_result' as const, tool_use_id: c.id, content: i === 0 ? 'sunny and warm' : 'sunny at noon' })) },
            ],
          });
          expect(m.stop_reason).toBe('end_turn');
          return { text: anthropicText(m), prompt: anthropicPrompt(m.usage), completion: m.usage.output_tokens };
        });
        expect(turn.text).toContain('sunny');
      });

      it('takes an image', async () => {
        const turn = await billed(async () => {
          const m = await anthropic.messages.create({
            model,
            max_tokens: 10,
            messages: [{ role: 'user', content: [{ type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG } }, { type: 'text', text: 'what is this picture' }] }],
          });
          return { text: anthropicText(m), prompt: anthropicPrompt(m.usage), completion: m.usage.output_tokens };
        });
        expect(turn.text).toMatch(/^Echo: what is this picture/);
        expect(imageUpstream(protocol, mock.requests.at(-1)!.body as Record<string, unknown>)).toBe(true);
      });
    });

    describe('Gemini client (@google/genai)', () => {
      const usageOf = (u: { promptTokenCount?: number; candidatesTokenCount?: number } | undefined) => ({ prompt: u?.promptTokenCount ?? 0, completion: u?.candidatesTokenCount ?? 0 });

      it('answers generateContent with a system instruction', async () => {
        const turn = await billed(async () => {
          const r = await gemini.models.generateContent({ model, contents: 'hello there relay', config: { systemInstruction: 'be brief', maxOutputTokens: 12 } });
          expect(r.candidates?.[0]?.finishReason).toBe('MAX_TOKENS');
          return { text: r.text ?? '', ...usageOf(r.usageMetadata) };
        });
        expect(turn.text).toMatch(/^Echo: hello there relay/);
        expect(turn.prompt).toBe(5);
        expect(turn.completion).toBe(12);
      });

      it('streams with streamGenerateContent', async () => {
        await billed(async () => {
          let text = '';
          let chunks = 0;
          let usage: ReturnType<typeof usageOf> = { prompt: 0, completion: 0 };
          for await (const c of await gemini.models.generateContentStream({ model, contents: 'stream me please', config: { maxOutputTokens: 9 } })) {
            chunks++;
            text += c.text ?? '';
            if (c.usageMetadata?.candidatesTokenCount) usage = usageOf(c.usageMetadata);
          }
          expect(chunks).toBeGreaterThan(1);
          expect(text).toMatch(/^Echo: stream me please/);
          return { text, ...usage };
        });
      });

      it('streams parallel function calls and takes their responses back', async () => {
        const tools = [
          {
            functionDeclarations: [
              { name: 'get_weather', description: 'Weather in a city', parametersJsonSchema: WEATHER_SCHEMA },
              { name: 'get_time', parametersJsonSchema: TIME_SCHEMA },
            ],
          },
        ];
        const question = { role: 'user', parts: [{ text: 'please call get_weather and get_time' }] };
        const calls: FunctionCall[] = [];
        await billed(async () => {
          let usage: ReturnType<typeof usageOf> = { prompt: 0, completion: 0 };
          for await (const c of await gemini.models.generateContentStream({ model, contents: [question], config: { tools } })) {
            calls.push(...(c.functionCalls ?? []));
            if (c.usageMetadata?.candidatesTokenCount) usage = usageOf(c.usageMetadata);
          }
          return { text: '', ...usage };
        });
        expect(calls.map((c) => [c.name, c.args])).toEqual([
          ['get_weather', { city: 'mock-city' }],
          ['get_time', { zone: 'mock-zone' }],
        ]);
        const turn = await billed(async () => {
          const r = await gemini.models.generateContent({
            model,
            contents: [
              question,
              { role: 'model', parts: calls.map((functionCall) => ({ functionCall })) },
              { role: 'user', parts: calls.map((c, i) => ({ functionResponse: { id: c.id, name: c.name, response: { result: i === 0 ? 'sunny and warm' : 'sunny at noon' } } })) },
            ],
            config: { tools },
          });
          return { text: r.text ?? '', ...usageOf(r.usageMetadata) };
        });
        expect(turn.text).toContain('sunny');
      });

      it('takes an image', async () => {
        const turn = await billed(async () => {
          const r = await gemini.models.generateContent({
            model,
            contents: [{ role: 'user', parts: [{ inlineData: { mimeType: 'image/png', data: PNG } }, { text: 'what is this picture' }] }],
            config: { maxOutputTokens: 10 },
          });
          return { text: r.text ?? '', ...usageOf(r.usageMetadata) };
        });
        expect(turn.text).toMatch(/^Echo: what is this picture/);
        expect(imageUpstream(protocol, mock.requests.at(-1)!.body as Record<string, unknown>)).toBe(true);
      });
    });

    describe('OpenAI client (openai)', () => {
      it('answers a chat with a system message', async () => {
        const turn = await billed(async () => {
          const r = await openai.chat.completions.create({
            model,
            max_tokens: 12,
            messages: [
              { role: 'system', content: 'be brief' },
              { role: 'user', content: 'hello there relay' },
            ],
          });
          expect(r.model).toBe(model);
          expect(r.choices[0]!.finish_reason).toBe('length');
          return { text: r.choices[0]!.message.content ?? '', prompt: r.usage!.prompt_tokens, completion: r.usage!.completion_tokens };
        });
        expect(turn.text).toMatch(/^Echo: hello there relay/);
        expect(turn.prompt).toBe(5);
      });

      it('streams a chat', async () => {
        await billed(async () => {
          const stream = await openai.chat.completions.create({ model, max_tokens: 9, stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'stream me please' }] });
          let text = '';
          let usage: OpenAI.CompletionUsage | undefined;
          for await (const c of stream) {
            text += c.choices[0]?.delta?.content ?? '';
            if (c.usage) usage = c.usage;
          }
          expect(text).toMatch(/^Echo: stream me please/);
          return { text, prompt: usage!.prompt_tokens, completion: usage!.completion_tokens };
        });
      });

      it('streams parallel tool calls and takes their results back', async () => {
        const tools: OpenAI.ChatCompletionTool[] = [
          { type: 'function', function: { name: 'get_weather', description: 'Weather in a city', parameters: WEATHER_SCHEMA } },
          { type: 'function', function: { name: 'get_time', parameters: TIME_SCHEMA } },
        ];
        const question: OpenAI.ChatCompletionMessageParam = { role: 'user', content: 'please call get_weather and get_time' };
        const calls: { id: string; name: string; arguments: string }[] = [];
        let finish: string | null = null;
        await billed(async () => {
          const stream = await openai.chat.completions.create({ model, tools, stream: true, stream_options: { include_usage: true }, messages: [question] });
          let usage: OpenAI.CompletionUsage | undefined;
          for await (const c of stream) {
            for (const d of c.choices[0]?.delta?.tool_calls ?? []) {
              calls[d.index] ??= { id: '', name: '', arguments: '' };
              if (d.id) calls[d.index]!.id = d.id;
              calls[d.index]!.name += d.function?.name ?? '';
              calls[d.index]!.arguments += d.function?.arguments ?? '';
            }
            finish = c.choices[0]?.finish_reason ?? finish;
            if (c.usage) usage = c.usage;
          }
          return { text: '', prompt: usage!.prompt_tokens, completion: usage!.completion_tokens };
        });
        expect(finish).toBe('tool_calls');
        expect(calls.map((c) => [c.name, JSON.parse(c.arguments)])).toEqual([
          ['get_weather', { city: 'mock-city' }],
          ['get_time', { zone: 'mock-zone' }],
        ]);
        const turn = await billed(async () => {
          const r = await openai.chat.completions.create({
            model,
            tools,
            messages: [
              question,
              { role: 'assistant', content: null, tool_calls: calls.map((c) => ({ id: c.id, type: 'function' as const, function: { name: c.name, arguments: c.arguments } })) },
              ...calls.map((c, i) => ({ role: 'tool' as const, tool_call_id: c.id, content: i === 0 ? 'sunny and warm' : 'sunny at noon' })),
            ],
          });
          return { text: r.choices[0]!.message.content ?? '', prompt: r.usage!.prompt_tokens, completion: r.usage!.completion_tokens };
        });
        expect(turn.text).toContain('sunny');
      });

      it('takes an image', async () => {
        const turn = await billed(async () => {
          const r = await openai.chat.completions.create({
            model,
            max_tokens: 10,
            messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: `data:image/png;base64,${PNG}` } }, { type: 'text', text: 'what is this picture' }] }],
          });
          return { text: r.choices[0]!.message.content ?? '', prompt: r.usage!.prompt_tokens, completion: r.usage!.completion_tokens };
        });
        expect(turn.text).toMatch(/^Echo: what is this picture/);
        expect(imageUpstream(protocol, mock.requests.at(-1)!.body as Record<string, unknown>)).toBe(true);
      });

      it('answers a legacy completion', async () => {
        const turn = await billed(async () => {
          const r = await openai.completions.create({ model, prompt: 'complete this line', max_tokens: 7 });
          expect(r.object).toBe('text_completion');
          return { text: r.choices[0]!.text, prompt: r.usage!.prompt_tokens, completion: r.usage!.completion_tokens };
        });
        expect(turn.text).toMatch(/^Echo: complete this line/);
      });
    });
  });

  it('streams converted events as they come: the first reaches the client long before the upstream ends', async () => {
    // Each client on a slow upstream of another protocol: 30 frames, 40 ms apart.
    const firstAndLast = async (run: (onEvent: () => void) => Promise<void>) => {
      const start = Date.now();
      let first = 0;
      await run(() => {
        first ||= Date.now() - start;
      });
      return { first, total: Date.now() - start };
    };
    const timings = [
      await firstAndLast(async (onEvent) => {
        const s = anthropic.messages.stream({ model: 'm-openai-slow', max_tokens: 100, messages: [{ role: 'user', content: 'slow one' }] });
        s.on('text', onEvent);
        await s.finalMessage();
      }),
      await firstAndLast(async (onEvent) => {
        for await (const c of await gemini.models.generateContentStream({ model: 'm-anthropic-slow', contents: 'slow two' })) if (c.text) onEvent();
      }),
      await firstAndLast(async (onEvent) => {
        for await (const c of await openai.chat.completions.create({ model: 'm-gemini-slow', stream: true, messages: [{ role: 'user', content: 'slow three' }] })) if (c.choices[0]?.delta?.content) onEvent();
      }),
    ];
    for (const { first, total } of timings) {
      expect(total).toBeGreaterThan(900);
      expect(first).toBeLessThan(total - 600);
    }
  });

  it('carries cached-token usage across every combination and bills it at the cached rate', async () => {
    for (const { protocol } of UPSTREAMS) {
      const model = `m-${protocol}-cached`;
      const content = 'one two three four five six seven';
      // Anthropic reports cache writes apart from input; they are billed as input.
      const written = protocol === 'anthropic' ? 2 : 0;
      let before = await tree.used();
      const m = await anthropic.messages.create({ model, max_tokens: 4, messages: [{ role: 'user', content }] });
      expect(m.usage).toMatchObject({ input_tokens: 7 - 3 - written, cache_read_input_tokens: 3, cache_creation_input_tokens: written });
      expect(charged(before, await tree.used())).toEqual(expectedCharge(7, m.usage.output_tokens, 3));
      before = await tree.used();
      const g = await gemini.models.generateContent({ model, contents: content, config: { maxOutputTokens: 4 } });
      expect(g.usageMetadata).toMatchObject({ promptTokenCount: 7, cachedContentTokenCount: 3 });
      expect(charged(before, await tree.used())).toEqual(expectedCharge(7, g.usageMetadata!.candidatesTokenCount!, 3));
      before = await tree.used();
      const o = await openai.chat.completions.create({ model, max_tokens: 4, messages: [{ role: 'user', content }] });
      expect(o.usage).toMatchObject({ prompt_tokens: 7, prompt_tokens_details: { cached_tokens: 3 } });
      expect(charged(before, await tree.used())).toEqual(expectedCharge(7, o.usage!.completion_tokens, 3));
    }
  });

  // Converted (Gemini upstream) and passed through (Anthropic upstream, read lazily by the relay).
  it.each(['m-gemini-slow', 'm-anthropic-slow'])('bills a client that leaves a stream from %s for what was generated, once', async (model) => {
    const before = await tree.used();
    const stream = anthropic.messages.stream({ model, max_tokens: 100, messages: [{ role: 'user', content: 'leave early' }] });
    let seen = 0;
    await new Promise<void>((resolve) => {
      stream.on('text', () => {
        if (++seen === 5) {
          stream.abort();
          resolve();
        }
      });
      stream.on('error', () => resolve());
      stream.on('abort', () => resolve());
    });
    await new Promise((r) => setTimeout(r, 300));
    const paid = charged(before, await tree.used());
    // At least the five text events the client saw (counted), fewer than the thirty of the whole answer.
    expect(paid.user).toBeGreaterThanOrEqual(expectedCharge(0, 5).user);
    expect(paid.user).toBeLessThan(expectedCharge(2, 30).user);
    expect(paid.master).toBeLessThan(paid.user);
  });

  it('passes a same-protocol body through untouched but for the model, thinking blocks and all', async () => {
    const thinking = { type: 'thinking', thinking: 'Plan: greet back.', signature: 'EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgx' };
    const messages = [
      { role: 'user', content: 'hi' },
      { role: 'assistant', content: [thinking, { type: 'text', text: 'hello' }] },
      { role: 'user', content: 'and again' },
    ];
    await anthropic.messages.create(
      { model: 'm-anthropic', max_tokens: 6, metadata: { user_id: 'u-1' }, stop_sequences: ['zzz'], messages: messages as Anthropic.MessageParam[] },
      { headers: { 'anthropic-beta': 'interleaved-thinking-2025-05-14' } },
    );
    const sent = mock.requests.at(-1)!;
    expect(sent.body).toEqual({ model: 'mock-claude', max_tokens: 6, metadata: { user_id: 'u-1' }, stop_sequences: ['zzz'], messages });
    expect(sent.headers['anthropic-beta']).toBe('interleaved-thinking-2025-05-14');
    const contents = [{ role: 'user', parts: [{ text: 'hi there' }] }];
    await gemini.models.generateContent({ model: 'm-gemini', contents, config: { topK: 3, safetySettings: [{ category: 'HARM_CATEGORY_HARASSMENT' as never, threshold: 'BLOCK_ONLY_HIGH' as never }] } });
    expect(mock.requests.at(-1)!.body).toMatchObject({ contents, generationConfig: { topK: 3 }, safetySettings: [{ category: 'HARM_CATEGORY_HARASSMENT', threshold: 'BLOCK_ONLY_HIGH' }] });
  });

  it('answers errors in each surface’s own shape', async () => {
    const badAnthropic = new Anthropic({ baseURL: t.baseUrl, apiKey: 'tg-not-a-key', maxRetries: 0 });
    await expect(badAnthropic.messages.create({ model: 'm-openai', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] })).rejects.toMatchObject({
      status: 401,
      error: { type: 'error', error: { type: 'authentication_error' } },
    });
    await expect(anthropic.messages.create({ model: 'nope', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] })).rejects.toMatchObject({
      status: 404,
      error: { type: 'error', error: { type: 'not_found_error' } },
    });
    // Even a body Fastify cannot parse gets the surface's shape.
    const notJson = await fetch(`${t.baseUrl}/v1/messages`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': tree.key }, body: '{"model":' });
    expect(notJson.status).toBe(400);
    expect(await notJson.json()).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });
    const badGemini = await fetch(`${t.baseUrl}/v1beta/models/m-openai:generateContent?key=tg-not-a-key`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ contents: [{ parts: [{ text: 'x' }] }] }) });
    expect(badGemini.status).toBe(401);
    expect(await badGemini.json()).toMatchObject({ error: { code: 401, status: 'UNAUTHENTICATED' } });
    await expect(gemini.models.generateContent({ model: 'nope', contents: 'x' })).rejects.toMatchObject({ status: 404 });
    const empty = await fetch(`${t.baseUrl}/v1beta/models/m-openai:generateContent`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-goog-api-key': tree.key }, body: JSON.stringify({ contents: [] }) });
    expect(empty.status).toBe(400);
    expect(await empty.json()).toMatchObject({ error: { code: 400, status: 'INVALID_ARGUMENT' } });
  });

  it('lists models on the Gemini surface and counts tokens on the Anthropic one', async () => {
    const listed: string[] = [];
    for await (const m of await gemini.models.list()) listed.push(m.name ?? '');
    expect(listed).toContain('models/m-gemini');
    const beta = await fetch(`${t.baseUrl}/v1beta/models?key=${tree.key}`);
    expect(((await beta.json()) as { models: { name: string }[] }).models.map((m) => m.name)).toContain('models/m-anthropic');
    const count = await anthropic.messages.countTokens({ model: 'm-anthropic', messages: [{ role: 'user', content: 'count these words please' }] });
    expect(count.input_tokens).toBeGreaterThan(4);
  });

  it('pins a provider: /v1/{provider}/chat/completions reaches only that provider’s channels', async () => {
    const before = mock.requests.length;
    const pinned = new OpenAI({ baseURL: `${t.baseUrl}/v1/anthropic`, apiKey: tree.key, maxRetries: 0 });
    const r = await pinned.chat.completions.create({ model: 'm-anthropic', max_tokens: 5, messages: [{ role: 'user', content: 'pinned' }] });
    expect(r.choices[0]!.message.content).toMatch(/^Echo: pinned/);
    expect(mock.requests.slice(before).map((q) => q.path)).toEqual(['/v1/messages']);
    await expect(pinned.chat.completions.create({ model: 'm-gemini', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] })).rejects.toMatchObject({ status: 503 });
    const unknown = new OpenAI({ baseURL: `${t.baseUrl}/v1/nope`, apiKey: tree.key, maxRetries: 0 });
    await expect(unknown.chat.completions.create({ model: 'm-anthropic', messages: [{ role: 'user', content: 'x' }] })).rejects.toMatchObject({ status: 404 });
  });
});
