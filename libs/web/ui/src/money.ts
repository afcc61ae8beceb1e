/**
 * µc (integer strings) ↔ credits for display and input. Pure string/bigint arithmetic: no
 * floating point touches an amount (DESIGN §2).
 */
export const MICRO_PER_CREDIT = 1_000_000n;

/** '1234567' → '1.234567'; trailing zeros trimmed down to `minDecimals`. */
export function formatCredits(micro: string | bigint, minDecimals = 2): string {
  const v = BigInt(micro);
  const neg = v < 0n;
  const abs = neg ? -v : v;
  const whole = (abs / MICRO_PER_CREDIT).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  let frac = (abs % MICRO_PER_CREDIT).toString().padStart(6, '0');
  while (frac.length > minDecimals && frac.endsWith('0')) frac = frac.slice(0, -1);
  return `${neg ? '-' : ''}${whole}${frac ? `.${frac}` : ''}`;
}

/** '1.5' → '1500000'; at most 6 decimals; null for anything that is not a decimal number. */
export function parseCredits(text: string): string | null {
  const m = /^\s*(-)?(\d+)(?:\.(\d{0,6}))?\s*$/.exec(text.replace(/,/g, ''));
  if (!m) return null;
  const micro = BigInt(m[2]!) * MICRO_PER_CREDIT + BigInt((m[3] ?? '').padEnd(6, '0') || '0');
  return (m[1] && micro !== 0n ? -micro : micro).toString();
}

/** used/limit as a whole percent in 0..100 (rounded down), for the bar's length only. */
export function percentUsed(used: string | bigint, limit: string | bigint | null): number {
  if (limit === null) return 0;
  const l = BigInt(limit);
  const u = BigInt(used);
  if (l <= 0n) return u > 0n ? 100 : 0;
  const p = (u * 100n) / l;
  return Number(p > 100n ? 100n : p < 0n ? 0n : p);
}

export interface PricePair {
  inputPer1M: string;
  outputPer1M: string;
}

export interface Margin {
  input: bigint;
  output: bigint;
  /** Margin on the output price in basis points of what is paid (null when it pays nothing). */
  outputBps: number | null;
}

/** What an account keeps per 1M tokens of a model: what it charges its children minus what it pays. */
export function marginOf(pays: PricePair, charges: PricePair): Margin {
  const input = BigInt(charges.inputPer1M) - BigInt(pays.inputPer1M);
  const output = BigInt(charges.outputPer1M) - BigInt(pays.outputPer1M);
  const paid = BigInt(pays.outputPer1M);
  return { input, output, outputBps: paid === 0n ? null : Number((output * 10_000n) / paid) };
}

/** 12000 bps → '×1.2' (markup multipliers), by integer arithmetic. */
export function formatMultiplier(bps: number): string {
  const whole = Math.trunc(bps / 10_000);
  let frac = String(bps % 10_000).padStart(4, '0');
  while (frac.endsWith('0')) frac = frac.slice(0, -1);
  return `×${whole}${frac ? `.${frac}` : ''}`;
}

/** 2500 bps → '25%'. */
export function formatBpsPercent(bps: number): string {
  const whole = Math.trunc(bps / 100);
  let frac = String(Math.abs(bps % 100)).padStart(2, '0');
  while (frac.endsWith('0')) frac = frac.slice(0, -1);
  return `${whole}${frac ? `.${frac}` : ''}%`;
}
