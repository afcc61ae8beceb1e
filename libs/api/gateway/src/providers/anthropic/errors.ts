import type { UpstreamFailure } from '../provider.js';

const NO_BALANCE = /credit balance|insufficient[_ ]balance|billing/i;

/** Anthropic: 429, 5xx and 529 (overloaded) go elsewhere; auth or an empty credit balance retire the key. */
export function classifyAnthropicFailure(status: number, body: string): UpstreamFailure {
  if (status === 401 || status === 403) return { retry: true, keyUnusable: true, reason: `upstream ${status}: key refused` };
  if (NO_BALANCE.test(body)) return { retry: true, keyUnusable: true, reason: `upstream ${status}: insufficient balance` };
  if (status === 408 || status === 409 || status === 429 || status >= 500) return { retry: true, keyUnusable: false, reason: `upstream ${status}` };
  return { retry: false, keyUnusable: false, reason: `upstream ${status}` };
}
