import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor } from './accounts.repository.js';

describe('children cursor', () => {
  it('round-trips the keyset position', () => {
    const createdAt = new Date('2026-11-22T10:00:00.123Z');
    const id = '2f1c7a6e-5b1d-4c3e-9d2a-0b6f1e2d3c4b';
    expect(decodeCursor(encodeCursor({ createdAt, id }))).toEqual({ createdAt, id });
  });

  it('refuses anything it did not produce with invalid_cursor', () => {
    for (const bad of ['garbage', Buffer.from('[1,2]').toString('base64url'), Buffer.from('["not a date","x"]').toString('base64url')]) {
      expect(() => decodeCursor(bad)).toThrow(expect.objectContaining({ code: 'invalid_cursor' }));
    }
  });
});
