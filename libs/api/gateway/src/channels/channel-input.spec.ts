import { InvalidInputError } from '@tiergate/api-core';
import { describe, expect, it } from 'vitest';
import { normalizeModelList } from '../common/model-list.js';
import { normalizeBaseUrl, normalizeModelMapping, normalizeTags } from './channel-input.js';

describe('channel input checks', () => {
  it('accepts http(s) base URLs, drops the trailing slash', () => {
    expect(normalizeBaseUrl('https://api.openai.com/v1/')).toBe('https://api.openai.com/v1');
    expect(normalizeBaseUrl('http://localhost:11434')).toBe('http://localhost:11434');
  });

  it('refuses other schemes, credentials in the URL and fragments', () => {
    for (const bad of ['ftp://example.com', 'file:///etc/passwd', 'javascript:alert(1)', 'not a url', 'https://user:pw@example.com', 'https://example.com/#x']) {
      expect(() => normalizeBaseUrl(bad), bad).toThrow(InvalidInputError);
    }
  });

  it('checks model names with the catalog rule and drops duplicates', () => {
    expect(normalizeModelList(['gpt-4o', 'gpt-4o', 'qwen/qwen2.5:7b'])).toEqual(['gpt-4o', 'qwen/qwen2.5:7b']);
    expect(() => normalizeModelList(['bad model'])).toThrow(InvalidInputError);
    expect(() => normalizeModelList(['-leading'])).toThrow(InvalidInputError);
  });

  it('maps only served public names to valid upstream names', () => {
    expect(normalizeModelMapping({ 'gpt-4o': 'gpt-4o-2024-08-06' }, ['gpt-4o'])).toEqual({ 'gpt-4o': 'gpt-4o-2024-08-06' });
    expect(normalizeModelMapping({}, ['gpt-4o'])).toEqual({});
    expect(() => normalizeModelMapping({ 'other': 'x' }, ['gpt-4o'])).toThrow(/not among the channel's models/);
    expect(() => normalizeModelMapping({ 'gpt-4o': 'bad name' }, ['gpt-4o'])).toThrow(InvalidInputError);
    expect(() => normalizeModelMapping({ 'gpt-4o': 7 }, ['gpt-4o'])).toThrow(InvalidInputError);
    expect(() => normalizeModelMapping(['gpt-4o'], ['gpt-4o'])).toThrow(InvalidInputError);
  });

  it('trims tags and refuses empty ones', () => {
    expect(normalizeTags([' fast ', 'fast', 'cn'])).toEqual(['fast', 'cn']);
    expect(() => normalizeTags(['  '])).toThrow(InvalidInputError);
    expect(() => normalizeTags(['a\u0000b'])).toThrow(InvalidInputError);
  });
});
