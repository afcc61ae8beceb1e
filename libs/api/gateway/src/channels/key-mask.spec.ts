import { describe, expect, it } from 'vitest';
import { keyHintOf, maskKey } from './key-mask.js';

const mask = (key: string) => maskKey(keyHintOf(key));

describe('upstream key masking', () => {
  it('shows a vendor marker and the last four characters', () => {
    expect(mask('sk-0123456789abcdefghijklmnopqrstuvwxyzABCD')).toBe('sk-…ABCD');
    expect(mask('sk-ant-api03-0123456789abcdefghijklmnopqrstuv-wxyz')).toBe('sk-ant-…wxyz');
    expect(mask('sk-proj-0123456789abcdefghijklmnopqrstuvwxyz')).toBe('sk-proj-…wxyz');
    expect(mask('gsk_0123456789abcdefghijklmnopqrstuvwxyz')).toBe('gsk_…wxyz');
  });

  it('shows no marker when the key has none', () => {
    expect(mask('AIzaSyA0123456789abcdefghijklmnopqrs')).toBe('…pqrs');
    expect(mask('0123456789abcdef0123456789abcdef')).toBe('…cdef');
  });

  it('shows only the last four of medium keys and nothing of short ones', () => {
    expect(mask('sk-0123456789abcd')).toBe('…abcd');
    expect(mask('ollama')).toBe('…');
    expect(mask('0123456789abcde')).toBe('…');
  });

  it('never reveals more than 12 characters, and never the middle of the key', () => {
    for (const key of ['sk-ant-api03-' + 'x'.repeat(80) + 'tail', 'abcd-efgh-' + 'y'.repeat(20), 'k'.repeat(16)]) {
      const hint = keyHintOf(key);
      expect(hint.prefix.length + hint.last4.length).toBeLessThanOrEqual(12);
      expect(key.startsWith(hint.prefix) && key.endsWith(hint.last4)).toBe(true);
    }
  });
});
