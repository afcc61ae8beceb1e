import { isRecord, type TokenUsage } from '../canonical.js';

/** `promptTokenCount` includes cached tokens; thoughts are billed as output. */
export function usageFromGemini(meta: unknown): TokenUsage | null {
  if (!isRecord(meta)) return null;
  const n = (k: string) => (typeof meta[k] === 'number' ? (meta[k] as number) : 0);
  return { prompt: n('promptTokenCount') + n('toolUsePromptTokenCount'), completion: n('candidatesTokenCount') + n('thoughtsTokenCount'), cached: n('cachedContentTokenCount'), cacheWrite: 0 };
}

export function usageToGemini(u: TokenUsage): Record<string, number> {
  return {
    promptTokenCount: u.prompt,
    candidatesTokenCount: u.completion,
    totalTokenCount: u.prompt + u.completion,
    ...(u.cached > 0 && { cachedContentTokenCount: u.cached }),
  };
}
