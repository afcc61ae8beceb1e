import { InvalidInputError } from '@tiergate/api-core';
import { describe, expect, it } from 'vitest';
import {
  applyMarkup,
  chargesAlongChain,
  costOf,
  divRoundHalfUp,
  marginOf,
  type ModelPrice,
  priceForChild,
  type PriceListRule,
  pricesAlongChain,
  type ResolvedPrice,
  type Usage,
  validateModelPrice,
  validatePriceList,
} from './chain-pricing.js';

/** mulberry32: a tiny seeded PRNG, so the property tests are reproducible. */
function prng(seed: number): { int(maxExclusive: number): number; big(maxExclusive: bigint): bigint; chance(p: number): boolean } {
  let s = seed | 0;
  const next = (): number => {
    s = (s + 0x6d2b79f5) | 0;
    let x = Math.imul(s ^ (s >>> 15), 1 | s);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return (x ^ (x >>> 14)) >>> 0;
  };
  return {
    int: (max) => next() % max,
    // Enough 32-bit draws to cover the range, then reduced: exact, and fine for tests.
    big: (max) => {
      let v = 0n;
      for (let bits = 0n; 1n << bits < max * 2n; bits += 32n) v = (v << 32n) | BigInt(next());
      return v % max;
    },
    chance: (p) => next() / 4_294_967_296 < p,
  };
}

const listsOf =
  (lists: Record<string, PriceListRule>) =>
  (accountId: string): PriceListRule | undefined =>
    lists[accountId];

describe('divRoundHalfUp', () => {
  it('rounds exact halves up (away from zero), never to even', () => {
    expect(divRoundHalfUp(5n, 10n)).toBe(1n);
    expect(divRoundHalfUp(15n, 10n)).toBe(2n);
    expect(divRoundHalfUp(25n, 10n)).toBe(3n); // banker's rounding would give 2
    expect(divRoundHalfUp(1n, 2n)).toBe(1n);
    expect(divRoundHalfUp(3n, 2n)).toBe(2n);
    expect(divRoundHalfUp(500_000n, 1_000_000n)).toBe(1n);
  });

  it('rounds below a half down and above a half up', () => {
    expect(divRoundHalfUp(4n, 10n)).toBe(0n);
    expect(divRoundHalfUp(6n, 10n)).toBe(1n);
    expect(divRoundHalfUp(499_999n, 1_000_000n)).toBe(0n);
    expect(divRoundHalfUp(500_001n, 1_000_000n)).toBe(1n);
    expect(divRoundHalfUp(1_499_999n, 1_000_000n)).toBe(1n);
    expect(divRoundHalfUp(14n, 10n)).toBe(1n);
    expect(divRoundHalfUp(16n, 10n)).toBe(2n);
    // Odd divisor: no exact half exists.
    expect(divRoundHalfUp(1n, 3n)).toBe(0n);
    expect(divRoundHalfUp(2n, 3n)).toBe(1n);
  });

  it('keeps exact quotients and zero', () => {
    expect(divRoundHalfUp(0n, 7n)).toBe(0n);
    expect(divRoundHalfUp(30n, 10n)).toBe(3n);
    expect(divRoundHalfUp(7n, 1n)).toBe(7n);
    expect(divRoundHalfUp(10n ** 30n, 10n ** 6n)).toBe(10n ** 24n);
  });

  it('rounds negative values symmetrically (ties away from zero)', () => {
    expect(divRoundHalfUp(-5n, 10n)).toBe(-1n);
    expect(divRoundHalfUp(-4n, 10n)).toBe(0n);
    expect(divRoundHalfUp(-6n, 10n)).toBe(-1n);
    expect(divRoundHalfUp(-25n, 10n)).toBe(-3n);
  });

  it('refuses a zero or negative divisor', () => {
    expect(() => divRoundHalfUp(1n, 0n)).toThrow(RangeError);
    expect(() => divRoundHalfUp(1n, -2n)).toThrow(/positive divisor/);
  });

  it('is the nearest integer for random inputs (seeded), ties away from zero', () => {
    const rnd = prng(0x5eed_0001);
    for (let k = 0; k < 5000; k++) {
      const d = rnd.big(10n ** BigInt(1 + rnd.int(12))) + 1n;
      const n = rnd.big(10n ** 25n) * (rnd.chance(0.2) ? -1n : 1n);
      const q = divRoundHalfUp(n, d);
      const err = n - q * d; // n/d − q, scaled by d
      const abs = err < 0n ? -err : err;
      expect(2n * abs <= d).toBe(true);
      if (2n * abs === d) expect(n >= 0n ? err < 0n : err > 0n).toBe(true); // the tie went away from zero
    }
  });
});

describe('applyMarkup', () => {
  it('multiplies by markupBps / 10000 and rounds half up once', () => {
    expect(applyMarkup(2_500_000n, 12_000)).toBe(3_000_000n);
    expect(applyMarkup(3n, 15_000)).toBe(5n); // 4.5 → 5
    expect(applyMarkup(1n, 15_000)).toBe(2n); // 1.5 → 2
    expect(applyMarkup(1n, 5_000)).toBe(1n); // 0.5 → 1
    expect(applyMarkup(1n, 4_999)).toBe(0n); // 0.4999 → 0
    expect(applyMarkup(1n, 5_001)).toBe(1n);
    expect(applyMarkup(1_001n, 12_000)).toBe(1_201n); // 1201.2
    expect(applyMarkup(777n, 10_000)).toBe(777n);
    expect(applyMarkup(777n, 0)).toBe(0n);
    expect(applyMarkup(0n, 30_000)).toBe(0n);
  });

  it('refuses a non-integer or negative markup and a negative price', () => {
    expect(() => applyMarkup(100n, 1.2)).toThrow(/markupBps must be a non-negative integer/);
    expect(() => applyMarkup(100n, -1)).toThrow(InvalidInputError);
    expect(() => applyMarkup(100n, Number.NaN)).toThrow(/got NaN/);
    expect(() => applyMarkup(-1n, 10_000)).toThrow(/must not be negative/);
  });
});

describe('costOf', () => {
  const flat: ModelPrice = { inputPer1M: 1n, outputPer1M: 1n };

  it('rounds tokens × price-per-1M half up to µc, once', () => {
    const tokens = (inputTokens: bigint): Usage => ({ inputTokens, cachedInputTokens: 0n, outputTokens: 0n });
    expect(costOf(flat, tokens(500_000n))).toBe(1n); // 0.5 → 1
    expect(costOf(flat, tokens(499_999n))).toBe(0n);
    expect(costOf(flat, tokens(1_500_000n))).toBe(2n);
    expect(costOf(flat, tokens(2_500_000n))).toBe(3n); // 2.5 → 3, not 2
    expect(costOf(flat, tokens(0n))).toBe(0n);
    // Rounded once over the sum, not per component: 0.4 + 0.4 = 0.8 → 1 (per component would be 0).
    expect(costOf(flat, { inputTokens: 400_000n, cachedInputTokens: 0n, outputTokens: 400_000n })).toBe(1n);
  });

  it('bills cached tokens at the cached rate, and defaults the cached rate to the input rate', () => {
    const price: ModelPrice = { inputPer1M: 2_000_000n, cachedInputPer1M: 500_000n, outputPer1M: 8_000_000n };
    // (1000 − 400)·2 000 000 + 400·500 000 + 100·8 000 000 = 1 200 000 000 + 200 000 000 + 800 000 000 = 2 200 000 000 → 2 200 µc
    expect(costOf(price, { inputTokens: 1_000n, cachedInputTokens: 400n, outputTokens: 100n })).toBe(2_200n);
    // All input cached: 1000·500 000 = 500 000 000 → 500 µc
    expect(costOf(price, { inputTokens: 1_000n, cachedInputTokens: 1_000n, outputTokens: 0n })).toBe(500n);
    // Without a cached price cached tokens cost full input price: 1000·2 000 000 → 2 000 µc
    const noCache: ModelPrice = { inputPer1M: 2_000_000n, outputPer1M: 8_000_000n };
    expect(costOf(noCache, { inputTokens: 1_000n, cachedInputTokens: 400n, outputTokens: 0n })).toBe(2_000n);
  });

  it('adds per-request and per-image prices (requests default to 1, images to 0)', () => {
    const media: ModelPrice = { inputPer1M: 0n, outputPer1M: 0n, perRequest: 1_500n, perImage: 40_000n };
    expect(costOf(media, { inputTokens: 0n, cachedInputTokens: 0n, outputTokens: 0n })).toBe(1_500n);
    expect(costOf(media, { inputTokens: 0n, cachedInputTokens: 0n, outputTokens: 0n, images: 3n })).toBe(1_500n + 120_000n);
    expect(costOf(media, { inputTokens: 0n, cachedInputTokens: 0n, outputTokens: 0n, requests: 2n, images: 1n })).toBe(3_000n + 40_000n);
    expect(costOf(media, { inputTokens: 0n, cachedInputTokens: 0n, outputTokens: 0n, requests: 0n })).toBe(0n);
    // A price without per-request / per-image parts charges nothing for them.
    expect(costOf({ inputPer1M: 1_000_000n, outputPer1M: 0n }, { inputTokens: 10n, cachedInputTokens: 0n, outputTokens: 0n, requests: 5n, images: 5n })).toBe(10n);
    // Token part rounded, flat parts added exactly: 250 000·3 / 1e6 = 0.75 → 1, + 1 500 + 40 000.
    expect(costOf({ ...media, inputPer1M: 3n }, { inputTokens: 250_000n, cachedInputTokens: 0n, outputTokens: 0n, images: 1n })).toBe(41_501n);
  });

  it('stays exact for 10^12 tokens at large prices', () => {
    const price: ModelPrice = { inputPer1M: 2_500_001n, outputPer1M: 10_000_003n };
    const usage: Usage = { inputTokens: 10n ** 12n + 1n, cachedInputTokens: 0n, outputTokens: 10n ** 12n + 7n };
    // (10^12 + 1)·2 500 001 = 2 500 001 000 000 000 000 + 2 500 001
    // (10^12 + 7)·10 000 003 = 10 000 003 000 000 000 000 + 70 000 021
    // sum = 12 500 004 000 000 000 000 + 72 500 022 → / 10^6 = 12 500 004 000 072.500022 → 12 500 004 000 073
    expect(costOf(price, usage)).toBe(12_500_004_000_073n);
    // A double cannot even hold the intermediate sum.
    expect(Number.isSafeInteger(Number(12_500_004_000_000_072_500_022n))).toBe(false);
    // 10^12 tokens at 10^12 µc per 1M: 10^18 µc, exact.
    expect(costOf({ inputPer1M: 10n ** 12n, outputPer1M: 0n }, { inputTokens: 10n ** 12n, cachedInputTokens: 0n, outputTokens: 0n })).toBe(10n ** 18n);
  });

  it('refuses impossible usage', () => {
    const u = (over: Partial<Record<keyof Usage, unknown>>): Usage => ({ inputTokens: 10n, cachedInputTokens: 0n, outputTokens: 0n, ...over }) as Usage;
    expect(() => costOf(flat, u({ inputTokens: -1n }))).toThrow(/usage.inputTokens must not be negative/);
    expect(() => costOf(flat, u({ outputTokens: -1n }))).toThrow(RangeError);
    expect(() => costOf(flat, u({ cachedInputTokens: -1n }))).toThrow(/cachedInputTokens must not be negative/);
    expect(() => costOf(flat, u({ cachedInputTokens: 11n }))).toThrow(/cannot exceed it/);
    expect(() => costOf(flat, u({ requests: -1n }))).toThrow(/usage.requests/);
    expect(() => costOf(flat, u({ images: -2n }))).toThrow(/usage.images/);
    expect(() => costOf(flat, u({ inputTokens: 10 }))).toThrow(/must be a bigint, got 10/);
  });

  it('refuses invalid prices', () => {
    const usage: Usage = { inputTokens: 1n, cachedInputTokens: 0n, outputTokens: 0n };
    expect(() => costOf({ inputPer1M: -1n, outputPer1M: 0n }, usage)).toThrow(/inputPer1M must not be negative/);
    expect(() => costOf({ inputPer1M: 1n, outputPer1M: 0n, perImage: -5n }, usage)).toThrow(InvalidInputError);
    expect(() => costOf({ inputPer1M: 1.5, outputPer1M: 0n } as unknown as ModelPrice, usage)).toThrow(/must be a bigint amount of µc, got 1.5/);
  });
});

describe('pricesAlongChain / chargesAlongChain — a depth-6 chain', () => {
  // master (catalog) → A → B → C → D → tenant → user. Each list is what that account applies to
  // its children; the chain is caller first and excludes the master.
  const chain = ['user', 'tenant', 'agentD', 'agentC', 'agentB', 'agentA'];
  const catalog: ModelPrice = { inputPer1M: 2_500_000n, cachedInputPer1M: 250_000n, outputPer1M: 10_000_000n, perRequest: 1_001n, perImage: 40_001n };
  const lists: Record<string, PriceListRule> = {
    agentA: { markupBps: 12_000 },
    // Token prices of gpt-x overridden; per-request / per-image not set, so they follow ×1.15.
    agentB: { markupBps: 11_500, overrides: { 'gpt-x': { inputPer1M: 3_300_000n, cachedInputPer1M: 330_000n, outputPer1M: 13_000_000n } } },
    agentC: { markupBps: 10_000 },
    // A special deal for one tenant; perRequest not set, so it follows ×1.333.
    agentD: {
      markupBps: 13_330,
      childOverrides: { tenant: { 'gpt-x': { inputPer1M: 5_000_000n, cachedInputPer1M: 500_000n, outputPer1M: 20_000_000n, perImage: 99_999n } } },
    },
    tenant: { markupBps: 15_000 },
  };
  const p = (inputPer1M: bigint, cachedInputPer1M: bigint, outputPer1M: bigint, perRequest: bigint, perImage: bigint): ResolvedPrice => ({
    inputPer1M,
    cachedInputPer1M,
    outputPer1M,
    perRequest,
    perImage,
  });

  it('derives exact unit prices at every level', () => {
    expect(pricesAlongChain('gpt-x', catalog, chain, listsOf(lists))).toEqual([
      // user — tenant's price ×1.5: 7 500 000 / 750 000 / 30 000 000;
      //   perRequest 1 841·1.5 = 2 761.5 → 2 762 (exact half, up); perImage 99 999·1.5 = 149 998.5 → 149 999
      p(7_500_000n, 750_000n, 30_000_000n, 2_762n, 149_999n),
      // tenant — agentD's per-child override for tokens and image; perRequest 1 381·1.333 = 1 840.873 → 1 841
      p(5_000_000n, 500_000n, 20_000_000n, 1_841n, 99_999n),
      // agentD — agentC's ×1.0: same as agentC
      p(3_300_000n, 330_000n, 13_000_000n, 1_381n, 55_201n),
      // agentC — agentB's per-model override for tokens; perRequest 1 201·1.15 = 1 381.15 → 1 381,
      //   perImage 48 001·1.15 = 55 201.15 → 55 201
      p(3_300_000n, 330_000n, 13_000_000n, 1_381n, 55_201n),
      // agentB — agentA's ×1.2: 3 000 000 / 300 000 / 12 000 000; 1 001·1.2 = 1 201.2 → 1 201; 40 001·1.2 = 48 001.2 → 48 001
      p(3_000_000n, 300_000n, 12_000_000n, 1_201n, 48_001n),
      // agentA — the catalog
      p(2_500_000n, 250_000n, 10_000_000n, 1_001n, 40_001n),
    ]);
  });

  it('charges exact amounts at every level for one request', () => {
    const usage: Usage = { inputTokens: 12_345n, cachedInputTokens: 2_345n, outputTokens: 6_789n, images: 2n };
    // Token part = 10 000·input + 2 345·cached + 6 789·output, / 10^6 rounded half up; then + 1·perRequest + 2·perImage.
    const charges = chargesAlongChain('gpt-x', catalog, chain, listsOf(lists), usage);
    expect(charges).toEqual([
      // user:   75 000 000 000 + 1 758 750 000 + 203 670 000 000 = 280 428 750 000 → 280 428.75 → 280 429; + 2 762 + 299 998
      583_189n,
      // tenant: 50 000 000 000 + 1 172 500 000 + 135 780 000 000 = 186 952 500 000 → 186 952.5 → 186 953 (half up); + 1 841 + 199 998
      388_792n,
      // agentD: 33 000 000 000 + 773 850 000 + 88 257 000 000 = 122 030 850 000 → 122 030.85 → 122 031; + 1 381 + 110 402
      233_814n,
      // agentC: same prices as agentD
      233_814n,
      // agentB: 30 000 000 000 + 703 500 000 + 81 468 000 000 = 112 171 500 000 → 112 171.5 → 112 172 (half up); + 1 201 + 96 002
      209_375n,
      // agentA: 25 000 000 000 + 586 250 000 + 67 890 000 000 = 93 476 250 000 → 93 476.25 → 93 476; + 1 001 + 80 002
      174_479n,
    ]);
    // Each level's margin: what its child paid it minus what it paid its parent.
    const margins = charges.slice(1).map((cost, i) => marginOf(charges[i]!, cost));
    expect(margins).toEqual([194_397n /* tenant */, 154_978n /* D */, 0n /* C */, 24_439n /* B */, 34_896n /* A */]);
  });

  it('applies plain markups to a model nobody overrides (×1.2 ×1.15 ×1.0 ×1.333 ×1.5)', () => {
    const other: ModelPrice = { inputPer1M: 1_000_000n, outputPer1M: 2_000_000n };
    const prices = pricesAlongChain('other', other, chain, listsOf(lists));
    // input: 1 000 000 → 1 200 000 → 1 380 000 → 1 380 000 → 1 839 540 → 2 759 310; cached follows input (defaulted at the catalog)
    // output: 2 000 000 → 2 400 000 → 2 760 000 → 2 760 000 → 3 679 080 → 5 518 620
    expect(prices.map((x) => x.inputPer1M)).toEqual([2_759_310n, 1_839_540n, 1_380_000n, 1_380_000n, 1_200_000n, 1_000_000n]);
    expect(prices.map((x) => x.cachedInputPer1M)).toEqual([2_759_310n, 1_839_540n, 1_380_000n, 1_380_000n, 1_200_000n, 1_000_000n]);
    expect(prices.map((x) => x.outputPer1M)).toEqual([5_518_620n, 3_679_080n, 2_760_000n, 2_760_000n, 2_400_000n, 2_000_000n]);
    expect(prices.map((x) => x.perRequest)).toEqual([0n, 0n, 0n, 0n, 0n, 0n]);
  });

  it("a per-child override applies to that child only; D's other tenants pay ×1.333", () => {
    const prices = pricesAlongChain('gpt-x', catalog, ['tenant2', 'agentD', 'agentC', 'agentB', 'agentA'], listsOf(lists));
    // 3 300 000·1.333 = 4 398 900; 330 000·1.333 = 439 890; 13 000 000·1.333 = 17 329 000;
    // 1 381·1.333 = 1 840.873 → 1 841; 55 201·1.333 = 73 582.933 → 73 583
    expect(prices[0]).toEqual(p(4_398_900n, 439_890n, 17_329_000n, 1_841n, 73_583n));
    // 43 989 000 000 + 1 031 542 050 + 117 646 581 000 = 162 667 123 050 → 162 667; + 1 841 + 147 166 = 311 674
    const usage: Usage = { inputTokens: 12_345n, cachedInputTokens: 2_345n, outputTokens: 6_789n, images: 2n };
    expect(chargesAlongChain('gpt-x', catalog, ['tenant2', 'agentD', 'agentC', 'agentB', 'agentA'], listsOf(lists), usage)[0]).toBe(311_674n);
  });

  it('asks each member but the caller for its list', () => {
    const asked: string[] = [];
    pricesAlongChain('gpt-x', catalog, chain, (id) => {
      asked.push(id);
      return lists[id];
    });
    expect(asked).toEqual(['agentA', 'agentB', 'agentC', 'agentD', 'tenant']);
  });
});

describe('pricesAlongChain — rules', () => {
  const catalog: ModelPrice = { inputPer1M: 1_000n, outputPer1M: 4_000n, perRequest: 10n, perImage: 100n };

  it('the top-most account pays the catalog, with defaults filled in', () => {
    expect(pricesAlongChain('m', catalog, ['top'], () => undefined)).toEqual([
      { inputPer1M: 1_000n, cachedInputPer1M: 1_000n, outputPer1M: 4_000n, perRequest: 10n, perImage: 100n },
    ]);
    expect(pricesAlongChain('m', { inputPer1M: 5n, outputPer1M: 6n }, ['top'], () => undefined)).toEqual([
      { inputPer1M: 5n, cachedInputPer1M: 5n, outputPer1M: 6n, perRequest: 0n, perImage: 0n },
    ]);
    expect(pricesAlongChain('m', catalog, [], () => undefined)).toEqual([]);
  });

  it('a parent without a price list passes its price on unchanged', () => {
    const [child, parent] = pricesAlongChain('m', catalog, ['child', 'parent'], () => undefined);
    expect(child).toEqual(parent);
  });

  it('a per-child override beats a per-model override, which beats the markup', () => {
    const list: PriceListRule = {
      markupBps: 20_000,
      overrides: { m: { inputPer1M: 1_500n, outputPer1M: 5_000n, perRequest: 11n } },
      childOverrides: { vip: { m: { inputPer1M: 900n, outputPer1M: 3_000n } }, other: { n: { inputPer1M: 1n, outputPer1M: 1n } } },
    };
    const parent = pricesAlongChain('m', catalog, ['parent'], () => undefined)[0]!;
    // vip: its own override for tokens (cached = its input), perRequest from the per-model override, perImage ×2.
    expect(priceForChild(parent, list, 'vip', 'm')).toEqual({ inputPer1M: 900n, cachedInputPer1M: 900n, outputPer1M: 3_000n, perRequest: 11n, perImage: 200n });
    // plain: the per-model override, perImage ×2.
    expect(priceForChild(parent, list, 'plain', 'm')).toEqual({ inputPer1M: 1_500n, cachedInputPer1M: 1_500n, outputPer1M: 5_000n, perRequest: 11n, perImage: 200n });
    // 'other' has overrides for another model only: the per-model override for m applies.
    expect(priceForChild(parent, list, 'other', 'm')).toEqual(priceForChild(parent, list, 'plain', 'm'));
    // Another model: markup ×2 on everything.
    expect(priceForChild(parent, list, 'vip', 'z')).toEqual({ inputPer1M: 2_000n, cachedInputPer1M: 2_000n, outputPer1M: 8_000n, perRequest: 20n, perImage: 200n });
  });

  it('an override can sell below cost; the margin then is negative', () => {
    const usage: Usage = { inputTokens: 1_000_000n, cachedInputTokens: 0n, outputTokens: 0n };
    const charges = chargesAlongChain('m', catalog, ['child', 'parent'], listsOf({ parent: { markupBps: 10_000, overrides: { m: { inputPer1M: 600n, outputPer1M: 0n } } } }), usage);
    // child: 600 + 10 (per request follows ×1.0); parent: 1 000 + 10
    expect(charges).toEqual([610n, 1_010n]);
    expect(marginOf(charges[0]!, charges[1]!)).toBe(-400n);
  });

  it('does not pick up Object.prototype members as overrides', () => {
    const list: PriceListRule = { markupBps: 10_000, overrides: {}, childOverrides: {} };
    expect(pricesAlongChain('constructor', catalog, ['__proto__', 'p'], () => list)[0]).toEqual(pricesAlongChain('constructor', catalog, ['p'], () => list)[0]);
    expect(pricesAlongChain('toString', catalog, ['hasOwnProperty', 'p'], () => list)[0]!.inputPer1M).toBe(1_000n);
  });

  it('refuses invalid lists, prices and chains with clear errors', () => {
    const two = ['c', 'p'];
    const withList = (list: unknown) => () => pricesAlongChain('m', catalog, two, () => list as PriceListRule);
    expect(withList({ markupBps: 1.2 })).toThrow(/markupBps must be a non-negative integer number of basis points \(10000 = ×1.0\), got 1.2/);
    expect(withList({ markupBps: -100 })).toThrow(/got -100/);
    expect(withList({ markupBps: '12000' })).toThrow(/got "12000"/);
    expect(withList({})).toThrow(/got undefined/);
    expect(withList({ markupBps: 10_000, overrides: { m: { inputPer1M: -1n, outputPer1M: 0n } } })).toThrow(/per-model override for m: inputPer1M must not be negative/);
    expect(withList({ markupBps: 10_000, childOverrides: { c: { m: { inputPer1M: 1n, outputPer1M: 2 } } } })).toThrow(/per-child override for c \/ m: outputPer1M must be a bigint amount of µc, got 2/);
    expect(withList({ markupBps: 1.5 })).toThrow(InvalidInputError);
    try {
      withList({ markupBps: 1.5 })();
    } catch (err) {
      expect((err as InvalidInputError).code).toBe('invalid_price');
    }
    expect(() => pricesAlongChain('m', { inputPer1M: 1n, outputPer1M: -1n }, ['c'], () => undefined)).toThrow(/catalog price of m: outputPer1M must not be negative/);
    expect(() => pricesAlongChain('m', { inputPer1M: 1n } as ModelPrice, ['c'], () => undefined)).toThrow(/outputPer1M must be a bigint/);
    expect(() => pricesAlongChain('', catalog, ['c'], () => undefined)).toThrow(/model must be a non-empty string/);
    expect(() => pricesAlongChain('m', catalog, ['c', 'p', 'c'], () => undefined)).toThrow(/lists account c twice/);
    expect(() => pricesAlongChain('m', catalog, ['c', ''], () => undefined)).toThrow(/invalid account id/);
  });
});

describe('validatePriceList / validateModelPrice', () => {
  it('accepts a sound list and refuses each kind of defect', () => {
    expect(() =>
      validatePriceList({
        markupBps: 0,
        overrides: { m: { inputPer1M: 0n, outputPer1M: 1n, cachedInputPer1M: 0n, perRequest: 0n, perImage: 5n } },
        childOverrides: { c: { m: { inputPer1M: 1n, outputPer1M: 1n } } },
      }),
    ).not.toThrow();
    expect(() => validatePriceList({ markupBps: 10_000.5 })).toThrow(/markupBps/);
    expect(() => validatePriceList({ markupBps: 10_000, overrides: { x: { inputPer1M: 1n, outputPer1M: 1n, perRequest: -1n } } })).toThrow(/per-model override for x: perRequest must not be negative/);
    expect(() => validatePriceList({ markupBps: 10_000, childOverrides: { k: null } } as unknown as PriceListRule)).toThrow(/Per-child overrides for k must be an object/);
    expect(() => validatePriceList({ markupBps: 10_000, childOverrides: { k: { x: { inputPer1M: 1n, outputPer1M: 1n, cachedInputPer1M: -3n } } } })).toThrow(/per-child override for k \/ x: cachedInputPer1M must not be negative/);
    expect(() => validateModelPrice({ inputPer1M: 1n, outputPer1M: 1n, perImage: 3 } as unknown as ModelPrice)).toThrow(/perImage must be a bigint amount of µc, got 3/);
  });
});

describe('marginOf', () => {
  it('is revenue minus cost, exactly', () => {
    expect(marginOf(583_189n, 388_792n)).toBe(194_397n);
    expect(marginOf(0n, 0n)).toBe(0n);
    expect(marginOf(100n, 150n)).toBe(-50n);
    expect(marginOf(10n ** 20n + 1n, 10n ** 20n)).toBe(1n);
    expect(() => marginOf(1 as unknown as bigint, 1n)).toThrow(TypeError);
  });
});

describe('chain properties (seeded random)', () => {
  /** A random price; components up to 10^9 µc per 1M (1 000 credits), optional parts sometimes absent. */
  const randomPrice = (rnd: ReturnType<typeof prng>): ModelPrice => ({
    inputPer1M: rnd.big(10n ** 9n),
    outputPer1M: rnd.big(10n ** 9n),
    ...(rnd.chance(0.5) ? { cachedInputPer1M: rnd.big(10n ** 9n) } : {}),
    ...(rnd.chance(0.3) ? { perRequest: rnd.big(10n ** 6n) } : {}),
    ...(rnd.chance(0.3) ? { perImage: rnd.big(10n ** 7n) } : {}),
  });
  /** An override priced at or above `floor` for every component it sets. */
  const overrideAbove = (rnd: ReturnType<typeof prng>, floor: ResolvedPrice): ModelPrice => ({
    inputPer1M: floor.inputPer1M + rnd.big(10n ** 6n),
    outputPer1M: floor.outputPer1M + rnd.big(10n ** 6n),
    // Always set: an omitted cached price would default to the override's input price, which may be below the parent's cached price.
    cachedInputPer1M: floor.cachedInputPer1M + rnd.big(10n ** 6n),
    ...(rnd.chance(0.5) ? { perRequest: floor.perRequest + rnd.big(1_000n) } : {}),
    ...(rnd.chance(0.5) ? { perImage: floor.perImage + rnd.big(1_000n) } : {}),
  });
  const randomUsage = (rnd: ReturnType<typeof prng>): Usage => {
    const inputTokens = rnd.chance(0.1) ? rnd.big(10n ** 13n) : rnd.big(2_000_000n);
    return {
      inputTokens,
      cachedInputTokens: rnd.big(inputTokens + 1n),
      outputTokens: rnd.chance(0.1) ? rnd.big(10n ** 13n) : rnd.big(200_000n),
      ...(rnd.chance(0.3) ? { requests: rnd.big(5n) } : {}),
      ...(rnd.chance(0.3) ? { images: rnd.big(10n) } : {}),
    };
  };

  it("with markups ≥ ×1 and no override below the parent's price, no level pays less than its parent", () => {
    const rnd = prng(20_261_122);
    const components = ['inputPer1M', 'cachedInputPer1M', 'outputPer1M', 'perRequest', 'perImage'] as const;
    for (let round = 0; round < 400; round++) {
      const depth = 1 + rnd.int(9);
      const chain = Array.from({ length: depth }, (_, i) => `acct${i}`); // acct0 = caller
      const catalog = randomPrice(rnd);
      const lists: Record<string, PriceListRule> = {};
      // Build top-down so an override can be set at or above the price its owner pays.
      for (let i = depth - 1; i >= 1; i--) {
        const owner = chain[i]!;
        const ownerPays = pricesAlongChain('m', catalog, chain.slice(i), listsOf(lists))[0]!;
        const list: PriceListRule = { markupBps: 10_000 + rnd.int(30_000) };
        if (rnd.chance(0.3)) list.overrides = { m: overrideAbove(rnd, ownerPays), other: randomPrice(rnd) };
        if (rnd.chance(0.3)) list.childOverrides = { [chain[i - 1]!]: { m: overrideAbove(rnd, ownerPays) }, someoneElse: { m: randomPrice(rnd) } };
        lists[owner] = list;
      }
      const prices = pricesAlongChain('m', catalog, chain, listsOf(lists));
      for (let i = 0; i + 1 < depth; i++) {
        for (const c of components) expect(prices[i]![c] >= prices[i + 1]![c]).toBe(true);
      }
      for (let k = 0; k < 5; k++) {
        const usage = randomUsage(rnd);
        const charges = chargesAlongChain('m', catalog, chain, listsOf(lists), usage);
        expect(charges).toHaveLength(depth);
        for (let i = 0; i + 1 < depth; i++) {
          expect(charges[i]! >= charges[i + 1]!, `round ${round} level ${i}: ${charges[i]} < ${charges[i + 1]}`).toBe(true);
          expect(marginOf(charges[i]!, charges[i + 1]!) >= 0n).toBe(true);
        }
      }
    }
  });

  it('with every markup at ×1.0 and no overrides, every level pays the same', () => {
    const rnd = prng(7);
    for (let round = 0; round < 100; round++) {
      const chain = ['a', 'b', 'c', 'd', 'e'];
      const catalog = randomPrice(rnd);
      const usage = randomUsage(rnd);
      const charges = chargesAlongChain('m', catalog, chain, () => ({ markupBps: 10_000 }), usage);
      expect(new Set(charges).size).toBe(1);
      expect(charges[0]).toBe(costOf(catalog, usage));
    }
  });

  it('costOf matches the exact rational cost within half a µc, with ties rounded up', () => {
    const rnd = prng(99);
    for (let round = 0; round < 2000; round++) {
      const price = randomPrice(rnd);
      const usage = randomUsage(rnd);
      const cached = price.cachedInputPer1M ?? price.inputPer1M;
      const exactTimes1M =
        (usage.inputTokens - usage.cachedInputTokens) * price.inputPer1M + usage.cachedInputTokens * cached + usage.outputTokens * price.outputPer1M;
      const flat = (usage.requests ?? 1n) * (price.perRequest ?? 0n) + (usage.images ?? 0n) * (price.perImage ?? 0n);
      const tokenPart = costOf(price, usage) - flat;
      const diff = tokenPart * 1_000_000n - exactTimes1M; // rounded − exact, scaled by 10^6
      expect(diff > -500_000n && diff <= 500_000n).toBe(true);
    }
  });
});
