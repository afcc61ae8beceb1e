/** What a provider adapter answers about one upstream failure before the first byte. */
export interface UpstreamFailure {
  /** Try the next key or channel. */
  retry: boolean;
  /** The key itself is bad (auth, no balance): health disables it at once. */
  keyUnusable: boolean;
  reason: string;
}

/**
 * One provider behind one pure interface: how to reach its chat endpoint and how to read its
 * failures. Everything here is pure; the relay does the I/O.
 */
export interface ProviderAdapter {
  readonly id: string;
  readonly protocol: 'openai' | 'anthropic' | 'gemini';
  chatUrl(baseUrl: string, upstreamModel: string): string;
  authHeaders(apiKey: string): Record<string, string>;
  classifyFailure(status: number, body: string): UpstreamFailure;
  /** A cheap authenticated GET (the model list) that tells whether a key and its upstream work again. */
  probe(baseUrl: string, apiKey: string): { url: string; headers: Record<string, string> };
}
