import { describe, expect, it } from 'vitest';
import { readFixture } from '../fixtures.js';
import { classifyOpenAiFailure } from './errors.js';

describe('classifyOpenAiFailure', () => {
  it('retires a key with no quota left and moves on', () => {
    expect(classifyOpenAiFailure(429, readFixture('openai', 'error.json'))).toEqual({ retry: true, keyUnusable: true, reason: 'upstream 429: insufficient balance' });
  });

  it('retries a plain 429 or 5xx elsewhere and stops on a bad request', () => {
    expect(classifyOpenAiFailure(429, '{"error":{"type":"rate_limit_exceeded"}}')).toEqual({ retry: true, keyUnusable: false, reason: 'upstream 429' });
    expect(classifyOpenAiFailure(502, '')).toMatchObject({ retry: true, keyUnusable: false });
    expect(classifyOpenAiFailure(400, '{"error":{"message":"bad"}}')).toEqual({ retry: false, keyUnusable: false, reason: 'upstream 400' });
  });
});
