import { describe, expect, it } from 'vitest';
import { readFixture } from '../fixtures.js';
import { classifyGeminiFailure } from './errors.js';

describe('classifyGeminiFailure', () => {
  it('retires a key Gemini calls invalid, though it answers 400', () => {
    expect(classifyGeminiFailure(400, readFixture('gemini', 'error.json'))).toEqual({ retry: true, keyUnusable: true, reason: 'upstream 400: key refused' });
  });

  it('retries RESOURCE_EXHAUSTED and 5xx elsewhere; a bad request stops', () => {
    expect(classifyGeminiFailure(429, '{"error":{"code":429,"status":"RESOURCE_EXHAUSTED"}}')).toEqual({ retry: true, keyUnusable: false, reason: 'upstream 429' });
    expect(classifyGeminiFailure(503, '').retry).toBe(true);
    expect(classifyGeminiFailure(400, '{"error":{"code":400,"message":"Invalid JSON payload","status":"INVALID_ARGUMENT"}}')).toMatchObject({ retry: false, keyUnusable: false });
  });
});
