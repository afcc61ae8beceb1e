/** What is kept in the clear about an upstream key, to tell keys apart: never enough to use it. */
export interface KeyHint {
  /** A vendor marker such as `sk-`, `sk-ant-`, `gsk_`; empty when the key has none. */
  prefix: string;
  last4: string;
}

// Known public vendor markers only, longest first: a pattern would also keep random key characters.
const VENDOR_MARKERS = ['sk-proj-', 'sk-ant-', 'sk-or-', 'sk-', 'gsk_', 'xai-', 'pplx-'];

/**
 * Keys shorter than 16 characters show nothing; from 16 on, the last four; from 24 on, also a
 * leading vendor marker of at most 8 letters and separators — public formatting, not secret.
 */
export function keyHintOf(key: string): KeyHint {
  if (key.length < 16) return { prefix: '', last4: '' };
  const marker = key.length >= 24 ? (VENDOR_MARKERS.find((m) => key.startsWith(m)) ?? '') : '';
  return { prefix: marker, last4: key.slice(-4) };
}

/** e.g. `sk-…abcd`. */
export function maskKey(hint: KeyHint): string {
  return `${hint.prefix}…${hint.last4}`;
}
