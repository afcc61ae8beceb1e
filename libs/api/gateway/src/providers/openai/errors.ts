import type { UpstreamFailure } from '../provider.js';

const NO_BALANCE = /insufficient[_ ]quota|insufficient[_ ]balance|credit balance|billing|余额不足/i;

/** OpenAI and the compatible family: 429/5xx retry elsewhere; auth or empty balance retire the key. */
export function classifyOpenAiFailure(status: number, body: string): UpstreamFailure {
  if (status === 401 || status === 403) return { retry: true, keyUnusable: true, reason: `upstream ${status}: key refused` };
  if (NO_BALANCE.test(body)) return { retry: true, keyUnusable: true, reason: `upstream ${status}: insufficient balance` };
  if (status === 408 || status === 409 || status === 429 || status >= 500) return { retry: true, keyUnusable: false, reason: `upstream ${status}` };
  return { retry: false, keyUnusable: false, reason: `upstream ${status}` };
}
