import { describe, expect, it } from 'vitest';
import { extractApiKey } from './extract-api-key.js';

const KEY = 'tg-AbCdEfGh12345678_-AbCdEfGh12345678AbCdEfG';

describe('extractApiKey', () => {
  it('reads Authorization: Bearer (any case of the scheme, surrounding spaces ignored)', () => {
    expect(extractApiKey({ authorization: `Bearer ${KEY}` })).toBe(KEY);
    expect(extractApiKey({ authorization: `bearer   ${KEY}  ` })).toBe(KEY);
  });

  it('reads x-api-key (Anthropic) and x-goog-api-key (Gemini)', () => {
    expect(extractApiKey({ 'x-api-key': KEY })).toBe(KEY);
    expect(extractApiKey({ 'x-goog-api-key': KEY })).toBe(KEY);
  });

  it('reads ?key= (Gemini) from a parsed query', () => {
    expect(extractApiKey({}, { key: KEY })).toBe(KEY);
    expect(extractApiKey({}, { key: [KEY, 'other'] })).toBe(KEY);
  });

  it('prefers Authorization, then x-api-key, then x-goog-api-key, then the query', () => {
    expect(extractApiKey({ authorization: 'Bearer a', 'x-api-key': 'b', 'x-goog-api-key': 'c' }, { key: 'd' })).toBe('a');
    expect(extractApiKey({ 'x-api-key': 'b', 'x-goog-api-key': 'c' }, { key: 'd' })).toBe('b');
    expect(extractApiKey({ 'x-goog-api-key': 'c' }, { key: 'd' })).toBe('c');
  });

  it('ignores other Authorization schemes and falls through to the other places', () => {
    expect(extractApiKey({ authorization: 'Basic dXNlcjpwYXNz' })).toBeNull();
    expect(extractApiKey({ authorization: 'Basic dXNlcjpwYXNz', 'x-api-key': KEY })).toBe(KEY);
    expect(extractApiKey({ authorization: 'Bearer' })).toBeNull();
    expect(extractApiKey({ authorization: 'Bearer two words' })).toBeNull();
  });

  it('takes the first of repeated headers', () => {
    expect(extractApiKey({ 'x-api-key': [KEY, 'second'] })).toBe(KEY);
  });

  it('returns null when nothing usable is sent', () => {
    expect(extractApiKey({})).toBeNull();
    expect(extractApiKey({ 'x-api-key': '   ' })).toBeNull();
    expect(extractApiKey({}, { key: '' })).toBeNull();
    expect(extractApiKey({}, { key: 42 })).toBeNull();
    expect(extractApiKey({}, undefined)).toBeNull();
    expect(extractApiKey({}, 'key=abc')).toBeNull();
  });
});
