import { describe, expect, it } from 'vitest';
import { relayErrorShape } from './all-exceptions.filter.js';

const body = { error: { code: 'model_not_found', message: 'no such model', id: 'r1' } };

describe('relayErrorShape', () => {
  it('answers each relay surface in its protocol’s own shape, keeping our code and id', () => {
    expect(relayErrorShape('/v1/chat/completions', 404, body)).toEqual({ error: { message: 'no such model', type: 'not_found_error', param: null, code: 'model_not_found', id: 'r1' } });
    expect(relayErrorShape('/v1/messages?beta=true', 404, body)).toEqual({ type: 'error', error: { type: 'not_found_error', message: 'no such model', code: 'model_not_found' }, request_id: 'r1' });
    expect(relayErrorShape('/v1/messages', 529, body)).toMatchObject({ error: { type: 'overloaded_error' } });
    expect(relayErrorShape('/v1beta/models/x:generateContent', 429, body)).toMatchObject({ error: { code: 429, message: 'no such model', status: 'RESOURCE_EXHAUSTED', details: [{ reason: 'model_not_found', metadata: { id: 'r1' } }] } });
    expect(relayErrorShape('/v1/models/x:generateContent', 500, body)).toMatchObject({ error: { code: 500, status: 'INTERNAL' } });
    expect(relayErrorShape('/api/v1/accounts', 404, body)).toBe(body);
  });
});
