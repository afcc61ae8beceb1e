import type { UpstreamFailure } from '../provider.js';

/** Gemini answers a bad key with 400 INVALID_ARGUMENT "API key not valid". */
const BAD_KEY = /API[_ ]KEY[_ ]INVALID|API key not valid|API key expired/i;

/** Gemini: 429 (RESOURCE_EXHAUSTED) and 5xx go elsewhere; a refused key is retired. */
export function classifyGeminiFailure(status: number, body: string): UpstreamFailure {
  if (status === 401 || status === 403 || BAD_KEY.test(body)) return { retry: true, keyUnusable: true, reason: `upstream ${status}: key refused` };
  if (status === 408 || status === 409 || status === 429 || status >= 500) return { retry: true, keyUnusable: false, reason: `upstream ${status}` };
  return { retry: false, keyUnusable: false, reason: `upstream ${status}` };
}
