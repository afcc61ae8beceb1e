/**
 * Pricing along the chain (DESIGN §3): what one request costs at every level of the account
 * chain. Pure integer arithmetic on bigint micro-credits (µc, 1 credit = 1,000,000 µc); no
 * floating point anywhere.
 *
 * Who pays what:
 * - The top-most account under the master pays the master's catalog price.
 * - Every account below pays its parent's price list applied on top of what the parent pays.
 *   Each unit-price component (input, cached input, output per 1M tokens; per request; per image)
 *   comes from the most specific source that defines it:
 *     1. the parent's per-child override for (this account, model),
 *     2. the parent's per-model override,
 *     3. the parent's own unit price × markupBps / 10 000.
 *   An override always defines input and output; it defines cached input too (its own
 *   `cachedInputPer1M`, or when omitted its own `inputPer1M` — the ModelPrice default); it
 *   defines per-request / per-image prices only when it sets them, otherwise those fall through
 *   to the next source, so an override of token prices never silently zeroes a per-request or
 *   per-image charge the parent itself pays.
 *   A parent without a price list passes its own price on unchanged (×1.0).
 *
 * Rounding — the one rule: round half up (ties away from zero) to an integer µc, once per step:
 * - a markup on a unit price: round(price × markupBps / 10 000);
 * - the cost of a request at one level:
 *     round(((input − cached)·inputPer1M + cached·cachedInputPer1M + output·outputPer1M) / 1 000 000)
 *     + requests·perRequest + images·perImage.
 * Each level is rounded from its own exact unit prices, never from the level above's rounded
 * cost. All of it lives in {@link divRoundHalfUp}.
 *
 * Configuration errors (negative prices, a non-integer markup) are InvalidInputError with code
 * `invalid_price`, rendered as 400 by the API; misuse by code (negative usage, a zero divisor)
 * throws RangeError / TypeError.
 */
import { InvalidInputError } from '@tiergate/api-core';

/** Unit prices of one model, in µc. Token prices are per 1,000,000 tokens. */
export interface ModelPrice {
  inputPer1M: bigint;
  outputPer1M: bigint;
  /** Price of cached input tokens per 1M; defaults to `inputPer1M`. */
  cachedInputPer1M?: bigint;
  /** Flat price per request; defaults to 0. */
  perRequest?: bigint;
  /** Price per generated image; defaults to 0. */
  perImage?: bigint;
}

/** A ModelPrice with every default filled in — what a chain member actually pays. */
export type ResolvedPrice = Required<ModelPrice>;

/** The price list an account applies to its children. */
export interface PriceListRule {
  /** Default markup in basis points: 10000 = ×1.0, 12000 = ×1.2. Integer ≥ 0. */
  markupBps: number;
  /** Absolute prices per model, for every child. */
  overrides?: Record<string /* model */, ModelPrice>;
  /** Absolute prices per child and model; win over `overrides`. */
  childOverrides?: Record<string /* childAccountId */, Record<string /* model */, ModelPrice>>;
}

/** What one request used. */
export interface Usage {
  /** All input tokens, cached ones included. */
  inputTokens: bigint;
  /** The part of `inputTokens` billed at the cached rate. */
  cachedInputTokens: bigint;
  outputTokens: bigint;
  /** Defaults to 1. */
  requests?: bigint;
  /** Defaults to 0. */
  images?: bigint;
}

/** Token prices are quoted per this many tokens. */
export const TOKENS_PER_PRICE_UNIT = 1_000_000n;
/** markupBps of a ×1.0 markup. */
export const BPS_ONE = 10_000;

/**
 * n / d rounded to the nearest integer, ties away from zero (half up for n ≥ 0):
 * 5/10 → 1, 4/10 → 0, 15/10 → 2, 25/10 → 3, −5/10 → −1. `d` must be positive.
 */
export function divRoundHalfUp(n: bigint, d: bigint): bigint {
  if (typeof n !== 'bigint' || typeof d !== 'bigint') throw new TypeError('divRoundHalfUp takes bigint arguments');
  if (d <= 0n) throw new RangeError(`divRoundHalfUp needs a positive divisor, got ${d}`);
  const q = n / d; // truncates toward zero
  const r = n % d; // same sign as n
  const twice = r < 0n ? -2n * r : 2n * r;
  if (twice >= d) return n < 0n ? q - 1n : q + 1n;
  return q;
}

/** A unit price with a markup applied: round_half_up(price × markupBps / 10 000). */
export function applyMarkup(price: bigint, markupBps: number): bigint {
  assertAmount(price, 'price');
  assertMarkup(markupBps);
  return divRoundHalfUp(price * BigInt(markupBps), BigInt(BPS_ONE));
}

/** The price with its defaults filled in (cached input = input, per request / per image = 0). */
export function resolvePrice(price: ModelPrice, what = 'price'): ResolvedPrice {
  validateModelPrice(price, what);
  return {
    inputPer1M: price.inputPer1M,
    outputPer1M: price.outputPer1M,
    cachedInputPer1M: price.cachedInputPer1M ?? price.inputPer1M,
    perRequest: price.perRequest ?? 0n,
    perImage: price.perImage ?? 0n,
  };
}

/**
 * What `childId` pays for `model`, given what its parent pays and the price list the parent
 * applies to its children (undefined: the parent passes its price on unchanged).
 */
export function priceForChild(parentPrice: ModelPrice, list: PriceListRule | undefined, childId: string, model: string): ResolvedPrice {
  const parent = resolvePrice(parentPrice, 'parent price');
  if (list === undefined) return parent;
  if (list === null || typeof list !== 'object') throw invalid('A price list must be an object');
  assertMarkup(list.markupBps);
  const childOverride = own(own(list.childOverrides, childId), model);
  const modelOverride = own(list.overrides, model);
  if (childOverride !== undefined) validateModelPrice(childOverride, `per-child override for ${childId} / ${model}`);
  if (modelOverride !== undefined) validateModelPrice(modelOverride, `per-model override for ${model}`);
  const override = childOverride ?? modelOverride;
  const markup = (p: bigint): bigint => divRoundHalfUp(p * BigInt(list.markupBps), BigInt(BPS_ONE));
  return {
    inputPer1M: override?.inputPer1M ?? markup(parent.inputPer1M),
    outputPer1M: override?.outputPer1M ?? markup(parent.outputPer1M),
    cachedInputPer1M:
      override !== undefined ? (override.cachedInputPer1M ?? override.inputPer1M) : markup(parent.cachedInputPer1M),
    perRequest: childOverride?.perRequest ?? modelOverride?.perRequest ?? markup(parent.perRequest),
    perImage: childOverride?.perImage ?? modelOverride?.perImage ?? markup(parent.perImage),
  };
}

/**
 * The unit prices each chain member pays for `model`, in chain order.
 *
 * @param chain account ids, caller first, the top-most account below the master last; the master
 *   itself is not in it. The last member pays `catalog`.
 * @param priceListOf the price list an account applies to its children (undefined: none, ×1.0).
 *   Called for every member but the caller (each member's list prices the member before it).
 */
export function pricesAlongChain(
  model: string,
  catalog: ModelPrice,
  chain: string[],
  priceListOf: (accountId: string) => PriceListRule | undefined,
): ResolvedPrice[] {
  if (typeof model !== 'string' || model === '') throw invalid('The model must be a non-empty string');
  assertChain(chain);
  const prices = new Array<ResolvedPrice>(chain.length);
  if (chain.length === 0) return prices;
  let price = resolvePrice(catalog, `catalog price of ${model}`);
  prices[chain.length - 1] = price;
  for (let i = chain.length - 2; i >= 0; i--) {
    price = priceForChild(price, priceListOf(chain[i + 1]!), chain[i]!, model);
    prices[i] = price;
  }
  return prices;
}

/**
 * The cost in µc of `usage` at `price`, rounded once:
 * round_half_up(((input − cached)·inputPer1M + cached·cachedInputPer1M + output·outputPer1M) / 1e6)
 * + requests·perRequest + images·perImage.
 */
export function costOf(price: ModelPrice, usage: Usage): bigint {
  const p = resolvePrice(price);
  const u = resolveUsage(usage);
  const tokenMicros =
    (u.inputTokens - u.cachedInputTokens) * p.inputPer1M + u.cachedInputTokens * p.cachedInputPer1M + u.outputTokens * p.outputPer1M;
  return divRoundHalfUp(tokenMicros, TOKENS_PER_PRICE_UNIT) + u.requests * p.perRequest + u.images * p.perImage;
}

/** What each chain member is charged for one request (µc), caller first. */
export function chargesAlongChain(
  model: string,
  catalog: ModelPrice,
  chain: string[],
  priceListOf: (accountId: string) => PriceListRule | undefined,
  usage: Usage,
): bigint[] {
  resolveUsage(usage);
  return pricesAlongChain(model, catalog, chain, priceListOf).map((price) => costOf(price, usage));
}

/**
 * A level's margin on a request: what its child paid it (revenue) minus what it paid its own
 * parent (cost). Negative when an override sells below cost.
 */
export function marginOf(revenue: bigint, cost: bigint): bigint {
  if (typeof revenue !== 'bigint' || typeof cost !== 'bigint') throw new TypeError('marginOf takes bigint arguments');
  return revenue - cost;
}

/** Throws InvalidInputError unless every component is a non-negative bigint. */
export function validateModelPrice(price: ModelPrice, what = 'price'): void {
  if (price === null || typeof price !== 'object') throw invalid(`The ${what} must be an object`);
  assertPriceComponent(price.inputPer1M, `${what}: inputPer1M`, false);
  assertPriceComponent(price.outputPer1M, `${what}: outputPer1M`, false);
  assertPriceComponent(price.cachedInputPer1M, `${what}: cachedInputPer1M`, true);
  assertPriceComponent(price.perRequest, `${what}: perRequest`, true);
  assertPriceComponent(price.perImage, `${what}: perImage`, true);
}

/** Throws InvalidInputError unless the whole list is usable: integer markup ≥ 0, valid override prices. */
export function validatePriceList(list: PriceListRule): void {
  if (list === null || typeof list !== 'object') throw invalid('A price list must be an object');
  assertMarkup(list.markupBps);
  for (const [model, price] of Object.entries(list.overrides ?? {})) validateModelPrice(price, `per-model override for ${model}`);
  for (const [childId, byModel] of Object.entries(list.childOverrides ?? {})) {
    if (byModel === null || typeof byModel !== 'object') throw invalid(`Per-child overrides for ${childId} must be an object`);
    for (const [model, price] of Object.entries(byModel)) validateModelPrice(price, `per-child override for ${childId} / ${model}`);
  }
}

// ---------------------------------------------------------------------------------------------

const invalid = (message: string): InvalidInputError => new InvalidInputError('invalid_price', message);

/** An own property only: a model named "constructor" or "__proto__" must not find Object.prototype's. */
function own<T>(record: Record<string, T> | undefined, key: string): T | undefined {
  if (record === undefined || record === null) return undefined;
  return Object.prototype.hasOwnProperty.call(record, key) ? record[key] : undefined;
}

function assertMarkup(markupBps: unknown): asserts markupBps is number {
  if (typeof markupBps !== 'number' || !Number.isSafeInteger(markupBps) || markupBps < 0) {
    throw invalid(`markupBps must be a non-negative integer number of basis points (10000 = ×1.0), got ${describe(markupBps)}`);
  }
}

function assertPriceComponent(value: unknown, what: string, optional: boolean): void {
  if (value === undefined && optional) return;
  if (typeof value !== 'bigint') throw invalid(`${what} must be a bigint amount of µc, got ${describe(value)}`);
  if (value < 0n) throw invalid(`${what} must not be negative, got ${value}`);
}

function assertAmount(value: unknown, what: string): asserts value is bigint {
  if (typeof value !== 'bigint') throw new TypeError(`${what} must be a bigint, got ${describe(value)}`);
  if (value < 0n) throw new RangeError(`${what} must not be negative, got ${value}`);
}

function resolveUsage(usage: Usage): Required<Usage> {
  if (usage === null || typeof usage !== 'object') throw new TypeError('usage must be an object');
  assertAmount(usage.inputTokens, 'usage.inputTokens');
  assertAmount(usage.cachedInputTokens, 'usage.cachedInputTokens');
  assertAmount(usage.outputTokens, 'usage.outputTokens');
  const requests = usage.requests ?? 1n;
  const images = usage.images ?? 0n;
  assertAmount(requests, 'usage.requests');
  assertAmount(images, 'usage.images');
  if (usage.cachedInputTokens > usage.inputTokens) {
    throw new RangeError(
      `usage.cachedInputTokens (${usage.cachedInputTokens}) is part of inputTokens and cannot exceed it (${usage.inputTokens})`,
    );
  }
  return { inputTokens: usage.inputTokens, cachedInputTokens: usage.cachedInputTokens, outputTokens: usage.outputTokens, requests, images };
}

function assertChain(chain: unknown): asserts chain is string[] {
  if (!Array.isArray(chain)) throw new TypeError('chain must be an array of account ids');
  const seen = new Set<string>();
  for (const id of chain) {
    if (typeof id !== 'string' || id === '') throw new TypeError(`chain holds an invalid account id: ${describe(id)}`);
    if (seen.has(id)) throw new RangeError(`chain lists account ${id} twice`);
    seen.add(id);
  }
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'number') return String(value);
  if (value === undefined || value === null) return String(value);
  return typeof value;
}
