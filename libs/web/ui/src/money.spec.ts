import { describe, expect, it } from 'vitest';
import { formatBpsPercent, formatCredits, formatMultiplier, marginOf, parseCredits, percentUsed } from './money.js';
import { formatUntil } from './duration.js';

describe('credits', () => {
  it('formats µc as credits without floating point', () => {
    expect(formatCredits('0')).toBe('0.00');
    expect(formatCredits('1500000')).toBe('1.50');
    expect(formatCredits('1234567')).toBe('1.234567');
    expect(formatCredits('-2000001')).toBe('-2.000001');
    expect(formatCredits('123456789000000')).toBe('123,456,789.00');
    // beyond 2^53: exact
    expect(formatCredits('9007199254740993123')).toBe('9,007,199,254,740.993123');
  });

  it('parses typed credits into µc, refusing what is not a 6-decimal number', () => {
    expect(parseCredits('1.5')).toBe('1500000');
    expect(parseCredits(' 100 ')).toBe('100000000');
    expect(parseCredits('-0.000001')).toBe('-1');
    expect(parseCredits('1,000.25')).toBe('1000250000');
    expect(parseCredits('0.0000001')).toBeNull();
    expect(parseCredits('1e3')).toBeNull();
    expect(parseCredits('')).toBeNull();
    expect(parseCredits('-0')).toBe('0');
  });

  it('bar length: percent used, rounded down and capped', () => {
    expect(percentUsed('0', '100')).toBe(0);
    expect(percentUsed('999', '1000')).toBe(99);
    expect(percentUsed('1500', '1000')).toBe(100);
    expect(percentUsed('5', null)).toBe(0);
    expect(percentUsed('1', '0')).toBe(100);
  });
});

describe('price math shown in the price list', () => {
  it('margin is what is charged minus what is paid, per 1M tokens', () => {
    const m = marginOf({ inputPer1M: '1000000', outputPer1M: '4000000' }, { inputPer1M: '1200000', outputPer1M: '4800000' });
    expect(m).toEqual({ input: 200000n, output: 800000n, outputBps: 2000 });
    expect(formatBpsPercent(m.outputBps!)).toBe('20%');
  });

  it('a price below cost shows a negative margin; a free model has no percent', () => {
    expect(marginOf({ inputPer1M: '3', outputPer1M: '3' }, { inputPer1M: '1', outputPer1M: '2' })).toEqual({ input: -2n, output: -1n, outputBps: -3333 });
    expect(marginOf({ inputPer1M: '0', outputPer1M: '0' }, { inputPer1M: '0', outputPer1M: '0' }).outputBps).toBeNull();
  });

  it('markup multipliers and percents from basis points', () => {
    expect(formatMultiplier(12000)).toBe('×1.2');
    expect(formatMultiplier(10000)).toBe('×1');
    expect(formatMultiplier(12345)).toBe('×1.2345');
    expect(formatBpsPercent(1250)).toBe('12.5%');
    expect(formatBpsPercent(-3333)).toBe('-33.33%');
  });
});

describe('formatUntil', () => {
  const now = new Date('2026-01-01T00:00:00Z');
  it('says how long until a window resets', () => {
    expect(formatUntil('2026-01-03T05:00:00Z', now)).toBe('2d 5h');
    expect(formatUntil('2026-01-01T03:12:30Z', now)).toBe('3h 12m');
    expect(formatUntil('2026-01-01T00:04:10Z', now)).toBe('4m 10s');
    expect(formatUntil('2026-01-01T00:00:09Z', now)).toBe('9s');
    expect(formatUntil('2025-12-31T00:00:00Z', now)).toBe('0s');
  });
});
