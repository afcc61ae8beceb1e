import { describe, expect, it } from 'vitest';

import { argumentsFor, chooseTools, planReply, textReply, usageCounts, type Conversation } from './reply.js';
import { countWords } from './words.js';

const conversation = (over: Partial<Conversation> = {}): Conversation => ({
  promptTokens: 3,
  source: 'What is the weather like in Paris today, please tell me',
  userTurn: true,
  tools: [],
  toolChoice: { mode: 'auto' },
  maxTokens: undefined,
  ...over,
});

const weather = { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' }, unit: { type: 'string', enum: ['celsius', 'fahrenheit'] } } } };
const time = { name: 'get_time', parameters: { type: 'object', properties: {} } };

describe('textReply', () => {
  it('echoes the first 40 characters then pads with filler to 20 words', () => {
    const reply = textReply('What is the weather like in Paris today, please tell me', 20, undefined);
    expect(reply.text.startsWith('Echo: What is the weather like in Paris today, lorem ipsum')).toBe(true);
    expect(reply.completionTokens).toBe(20);
    expect(countWords(reply.text)).toBe(20);
    expect(reply.pieces.join('')).toBe(reply.text);
    expect(reply.pieces).toHaveLength(20);
    expect(reply.truncated).toBe(false);
  });

  it('is capped by max tokens, and says so', () => {
    const reply = textReply('a b c', 20, 3);
    expect(reply.text).toBe('Echo: a b');
    expect(reply.truncated).toBe(true);
  });

  it('gives exactly the asked length, including none at all', () => {
    expect(textReply('x', 500, undefined).completionTokens).toBe(500);
    expect(textReply('x', 0, undefined)).toMatchObject({ text: '', pieces: [], completionTokens: 0 });
    expect(textReply('x', 1, undefined).text).toBe('Echo:');
  });

  it('cuts the text into the asked number of chunks', () => {
    const reply = textReply('one two three four five six', 10, undefined, 3);
    expect(reply.pieces).toHaveLength(3);
    expect(reply.pieces.join('')).toBe(reply.text);
    expect(textReply('x', 2, undefined, 9).pieces).toHaveLength(2);
  });
});

describe('tools', () => {
  it('calls the tool named after "call", only on a user turn with tools', () => {
    expect(chooseTools(conversation({ tools: [weather], source: 'please call get_weather for Paris' }))).toEqual(['get_weather']);
    expect(chooseTools(conversation({ tools: [], source: 'call get_weather' }))).toEqual([]);
    expect(chooseTools(conversation({ tools: [weather], source: 'call get_weather', userTurn: false }))).toEqual([]);
    expect(chooseTools(conversation({ tools: [weather], source: 'call someone else' }))).toEqual([]);
    expect(chooseTools(conversation({ tools: [weather], source: 'call get_weather', toolChoice: { mode: 'none' } }))).toEqual([]);
  });

  it('makes parallel calls for "call a and b" and lists', () => {
    const tools = [weather, time, { name: 'search', parameters: {} }];
    expect(chooseTools(conversation({ tools, source: 'Call get_weather and get_time.' }))).toEqual(['get_weather', 'get_time']);
    expect(chooseTools(conversation({ tools, source: 'call get_weather, get_time and search now' }))).toEqual(['get_weather', 'get_time', 'search']);
    expect(chooseTools(conversation({ tools, source: 'call get_weather. And get_time' }))).toEqual(['get_weather']);
  });

  it('honours forced and required tool choices', () => {
    expect(chooseTools(conversation({ tools: [weather, time], toolChoice: { mode: 'named', name: 'get_time' }, source: 'hi' }))).toEqual(['get_time']);
    expect(chooseTools(conversation({ tools: [weather, time], toolChoice: { mode: 'required' }, source: 'hi' }))).toEqual(['get_weather']);
  });

  it('derives arguments from the schema', () => {
    expect(argumentsFor(weather.parameters)).toEqual({ city: 'mock-city', unit: 'celsius' });
    expect(argumentsFor({ properties: { n: { type: 'integer' }, ok: { type: 'boolean' }, tags: { type: 'array' }, where: { type: 'object', properties: { x: { type: 'number' } } } } })).toEqual({
      n: 42,
      ok: true,
      tags: [],
      where: { x: 42 },
    });
    expect(argumentsFor(undefined)).toEqual({});
  });

  it('plans deterministic calls with arguments cut into deltas', () => {
    const a = planReply(conversation({ tools: [weather], source: 'call get_weather' }), {});
    const b = planReply(conversation({ tools: [weather], source: 'call get_weather' }), {});
    expect(a).toEqual(b);
    if (a.kind !== 'tools') throw new Error('expected tool calls');
    expect(a.calls[0].arguments).toBe('{"city":"mock-city","unit":"celsius"}');
    expect(a.calls[0].argumentDeltas.length).toBeGreaterThan(1);
    expect(a.calls[0].argumentDeltas.join('')).toBe(a.calls[0].arguments);
    expect(a.completionTokens).toBe(2);
  });
});

describe('usageCounts', () => {
  it('caps cache reads and writes by the prompt', () => {
    expect(usageCounts(10, 4, { cachedTokens: 6, cacheWriteTokens: 6 })).toEqual({ prompt: 10, completion: 4, cacheRead: 6, cacheWrite: 4 });
    expect(usageCounts(10, 4, {})).toEqual({ prompt: 10, completion: 4, cacheRead: 0, cacheWrite: 0 });
  });
});
