import { isRecord, type TokenUsage } from '../canonical.js';

/** OpenAI usage, with DeepSeek's cache-hit field as the cached count when OpenAI's is absent. */
export function usageFromOpenAi(usage: unknown): TokenUsage | null {
  if (!isRecord(usage)) return null;
  const n = (v: unknown) => (typeof v === 'number' ? v : 0);
  const details = isRecord(usage['prompt_tokens_details']) ? usage['prompt_tokens_details'] : {};
  const cached = n(details['cached_tokens']) || n(usage['prompt_cache_hit_tokens']);
  return { prompt: n(usage['prompt_tokens']), completion: n(usage['completion_tokens']), cached, cacheWrite: 0 };
}
