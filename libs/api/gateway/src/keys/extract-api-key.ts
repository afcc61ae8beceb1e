/** Request headers as Node and Fastify hand them over (names lower-cased). */
export type HeaderBag = Readonly<Record<string, string | string[] | undefined>>;

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function clean(value: string | undefined): string | null {
  const trimmed = value?.trim();
  return trimmed ? trimmed : null;
}

/**
 * The relay key a client sent, in the places each protocol puts it, first match wins:
 * `Authorization: Bearer …` (OpenAI), `x-api-key` (Anthropic), `x-goog-api-key` or `?key=` (Gemini).
 * Returns null when none is present; whether the key is valid is the authenticator's business.
 */
export function extractApiKey(headers: HeaderBag, query?: unknown): string | null {
  const authorization = clean(first(headers['authorization']));
  if (authorization) {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization);
    if (match) return match[1]!;
  }
  const fromHeader = clean(first(headers['x-api-key'])) ?? clean(first(headers['x-goog-api-key']));
  if (fromHeader) return fromHeader;
  if (query && typeof query === 'object') {
    const key = (query as Record<string, unknown>)['key'];
    const value = clean(typeof key === 'string' ? key : Array.isArray(key) && typeof key[0] === 'string' ? key[0] : undefined);
    if (value) return value;
  }
  return null;
}
