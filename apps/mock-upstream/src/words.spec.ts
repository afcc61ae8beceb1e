import { describe, expect, it } from 'vitest';

import { countWords, draw, hash32, isSpace, mulberry32, splitWords } from './words.js';

describe('words', () => {
  it('counts whitespace-separated words, whatever the whitespace', () => {
    expect(countWords('')).toBe(0);
    expect(countWords('   \n\t ')).toBe(0);
    expect(countWords('one')).toBe(1);
    expect(countWords('  one two\n\nthree\tfour\u00a0five  ')).toBe(5);
    expect(countWords('{"city":"Paris"}')).toBe(1);
  });

  it('splits into the words it counts', () => {
    const text = ' Hello,  wide\r\nworld\u2003! ';
    expect(splitWords(text)).toEqual(['Hello,', 'wide', 'world', '!']);
    expect(splitWords(text)).toHaveLength(countWords(text));
  });

  it('treats exactly the RegExp \\s characters as whitespace', () => {
    for (let code = 0; code < 0x10000; code++) {
      if (isSpace(code) !== /\s/.test(String.fromCharCode(code))) throw new Error(`mismatch at ${code}`);
    }
  });

  it('hashes and draws deterministically', () => {
    expect(hash32('abc')).toBe(hash32('abc'));
    expect(hash32('abc')).not.toBe(hash32('abd'));
    expect(draw('seed', 3)).toBe(draw('seed', 3));
    const draws = Array.from({ length: 1000 }, (_, i) => draw('seed', i));
    expect(Math.min(...draws)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...draws)).toBeLessThan(1);
    const share = draws.filter((value) => value < 0.3).length / draws.length;
    expect(share).toBeGreaterThan(0.25);
    expect(share).toBeLessThan(0.35);
    const a = mulberry32(7);
    const b = mulberry32(7);
    expect([a(), a(), a()]).toEqual([b(), b(), b()]);
  });
});
