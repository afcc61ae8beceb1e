import { isRecord, type TokenUsage } from '../canonical.js';

/** Anthropic's `input_tokens` excludes cache reads and writes; the relay's prompt includes both. */
export function usageFromAnthropic(usage: unknown): TokenUsage | null {
  if (!isRecord(usage)) return null;
  const n = (k: string) => (typeof usage[k] === 'number' ? (usage[k] as number) : 0);
  const cached = n('cache_read_input_tokens');
  const cacheWrite = n('cache_creation_input_tokens');
  return { prompt: n('input_tokens') + cached + cacheWrite, completion: n('output_tokens'), cached, cacheWrite };
}

export function usageToAnthropic(u: TokenUsage): Record<string, number> {
  return {
    input_tokens: Math.max(u.prompt - u.cached - u.cacheWrite, 0),
    cache_creation_input_tokens: u.cacheWrite,
    cache_read_input_tokens: u.cached,
    output_tokens: u.completion,
  };
}
