import { describe, expect, it } from 'vitest';
import { readFixture } from '../fixtures.js';
import { classifyAnthropicFailure } from './errors.js';

describe('classifyAnthropicFailure', () => {
  it('retries elsewhere on overload (529), 429 and 5xx, keeping the key', () => {
    expect(classifyAnthropicFailure(529, readFixture('anthropic', 'error.json'))).toEqual({ retry: true, keyUnusable: false, reason: 'upstream 529' });
    expect(classifyAnthropicFailure(429, '{}').retry).toBe(true);
  });

  it('retires a refused key or an empty credit balance, and stops on a bad request', () => {
    expect(classifyAnthropicFailure(401, '{}')).toMatchObject({ retry: true, keyUnusable: true });
    expect(classifyAnthropicFailure(400, '{"type":"error","error":{"type":"invalid_request_error","message":"Your credit balance is too low"}}')).toMatchObject({ keyUnusable: true });
    expect(classifyAnthropicFailure(400, '{"type":"error","error":{"type":"invalid_request_error","message":"max_tokens: too large"}}')).toEqual({ retry: false, keyUnusable: false, reason: 'upstream 400' });
  });
});
