import type { MintedCodes } from '@tiergate/contracts';
import { describe, expect, it } from 'vitest';
import { barScale } from './bar-chart.js';
import { parseHash } from './hash-route.js';
import { codesCsv } from './keys-panels.js';

describe('barScale', () => {
  it('scales to the largest value exactly, even past 2^53 µc', () => {
    expect(barScale([{ label: 'a', values: ['9007199254740993000', '4503599627370496500'] }, { label: 'b', values: ['0', '-5'] }])).toEqual([
      [1000, 500],
      [0, 0],
    ]);
    expect(barScale([{ label: 'a', values: ['0'] }])).toEqual([[0]]);
  });
});

describe('codesCsv', () => {
  it('lists every minted code with its value in credits', () => {
    const minted: MintedCodes = { batchId: 'b1', value: '2500000', expiresAt: null, codes: ['TG-AAAA', 'TG-BB,BB'] };
    expect(codesCsv(minted)).toBe('code,value_credits,expires_at\nTG-AAAA,2.50,\n"TG-BB,BB",2.50,\n');
  });
});

describe('parseHash', () => {
  it('splits and decodes the client route', () => {
    expect(parseHash('#/children/a%20b')).toEqual(['children', 'a b']);
    expect(parseHash('')).toEqual([]);
  });
});
