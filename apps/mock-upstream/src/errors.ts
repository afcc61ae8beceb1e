/** The three wire protocols the mock speaks; each has its own error shape. */
export type Surface = 'openai' | 'anthropic' | 'gemini';

/**
 * Why a request fails: a bare HTTP status (as forced by `fail=`), or one of the cases the real
 * providers answer in a particular way.
 */
export type FailureKind = number | 'missing_key' | 'revoked_key' | 'insufficient_balance';

export interface ErrorReply {
  status: number;
  body: string;
}

let errorSeq = 0;

/** `sk-abc…wxyz` the way OpenAI echoes a wrong key. */
export function maskKey(key: string): string {
  if (key.length <= 8) return '*'.repeat(key.length);
  return `${key.slice(0, 3)}${'*'.repeat(Math.min(key.length - 7, 20))}${key.slice(-4)}`;
}

/** The error the real provider sends for `kind`, in its own shape. `message` overrides the stock text of 400s and 404s. */
export function providerError(surface: Surface, kind: FailureKind, context: { key?: string; model?: string; message?: string } = {}): ErrorReply {
  switch (surface) {
    case 'openai':
      return openAiError(kind, context);
    case 'anthropic':
      return anthropicError(kind, context);
    case 'gemini':
      return geminiError(kind, context);
  }
}

function openAiError(kind: FailureKind, context: { key?: string; model?: string; message?: string }): ErrorReply {
  const reply = (status: number, message: string, type: string, code: string | null): ErrorReply => ({
    status,
    body: JSON.stringify({ error: { message, type, param: null, code } }),
  });
  switch (kind) {
    case 'missing_key':
      return reply(
        401,
        "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY). You can obtain an API key from https://platform.openai.com/account/api-keys.",
        'invalid_request_error',
        null,
      );
    case 'revoked_key':
    case 401:
      return reply(
        401,
        `Incorrect API key provided: ${maskKey(context.key ?? '')}. You can find your API key at https://platform.openai.com/account/api-keys.`,
        'invalid_request_error',
        'invalid_api_key',
      );
    case 'insufficient_balance':
      return reply(
        429,
        'You exceeded your current quota, please check your plan and billing details. For more information on this error, read the docs: https://platform.openai.com/docs/guides/error-codes/api-errors.',
        'insufficient_quota',
        'insufficient_quota',
      );
    case 429:
      return reply(429, `Rate limit reached for ${context.model ?? 'this model'} on requests per min (RPM): Limit 3, Used 3, Requested 1. Please try again in 20s.`, 'requests', 'rate_limit_exceeded');
    case 400:
      return reply(400, context.message ?? 'Invalid request.', 'invalid_request_error', null);
    case 403:
      return reply(403, 'You are not allowed to sample from this model', 'invalid_request_error', 'model_not_allowed');
    case 404:
      return reply(404, context.message ?? `The model \`${context.model ?? ''}\` does not exist or you do not have access to it.`, 'invalid_request_error', context.message ? null : 'model_not_found');
    case 500:
      return reply(500, 'The server had an error while processing your request. Sorry about that!', 'server_error', null);
    case 502:
      return reply(502, 'Bad gateway.', 'server_error', null);
    case 503:
      return reply(503, 'The engine is currently overloaded, please try again later.', 'server_error', null);
    default:
      return reply(kind, `mock-upstream failure ${kind}`, kind >= 500 ? 'server_error' : 'invalid_request_error', null);
  }
}

function anthropicError(kind: FailureKind, context: { message?: string }): ErrorReply {
  const reply = (status: number, type: string, message: string): ErrorReply => ({
    status,
    body: JSON.stringify({ type: 'error', error: { type, message }, request_id: `req_mock${(++errorSeq).toString(36)}` }),
  });
  switch (kind) {
    case 'missing_key':
      return reply(401, 'authentication_error', 'x-api-key header is required');
    case 'revoked_key':
    case 401:
      return reply(401, 'authentication_error', 'invalid x-api-key');
    case 'insufficient_balance':
      return reply(400, 'invalid_request_error', 'Your credit balance is too low to access the Anthropic API. Please go to Plans & Billing to upgrade or purchase credits.');
    case 400:
      return reply(400, 'invalid_request_error', context.message ?? 'Invalid request.');
    case 403:
      return reply(403, 'permission_error', 'Your API key does not have permission to use the specified resource.');
    case 404:
      return reply(404, 'not_found_error', context.message ?? 'The requested resource could not be found.');
    case 413:
      return reply(413, 'request_too_large', 'Request exceeds the maximum allowed number of bytes.');
    case 429:
      return reply(429, 'rate_limit_error', 'This request would exceed the rate limit for your organization of 50 requests per minute.');
    case 503:
    case 529:
      return reply(kind, 'overloaded_error', 'Overloaded');
    default:
      return reply(kind, kind >= 500 ? 'api_error' : 'invalid_request_error', kind >= 500 ? 'Internal server error' : `mock-upstream failure ${kind}`);
  }
}

const GOOGLE_STATUS: Readonly<Record<number, string>> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  409: 'ABORTED',
  429: 'RESOURCE_EXHAUSTED',
  499: 'CANCELLED',
  500: 'INTERNAL',
  501: 'NOT_IMPLEMENTED',
  503: 'UNAVAILABLE',
  504: 'DEADLINE_EXCEEDED',
};

function geminiError(kind: FailureKind, context: { key?: string; model?: string; message?: string }): ErrorReply {
  const reply = (code: number, message: string, details?: unknown[]): ErrorReply => ({
    status: code,
    body: JSON.stringify({ error: { code, message, status: GOOGLE_STATUS[code] ?? 'UNKNOWN', ...(details ? { details } : {}) } }),
  });
  const reason = (name: string) => [
    { '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: name, domain: 'googleapis.com', metadata: { service: 'generativelanguage.googleapis.com' } },
  ];
  switch (kind) {
    case 'missing_key':
      return reply(
        401,
        "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.",
      );
    case 401:
      return reply(401, 'API key not valid. Please pass a valid API key.', reason('API_KEY_INVALID'));
    case 'revoked_key':
      return reply(403, `Permission denied: Consumer 'api_key:${context.key ?? ''}' has been suspended.`, reason('CONSUMER_SUSPENDED'));
    case 'insufficient_balance':
      return reply(429, 'You exceeded your current quota, please check your plan and billing details. For more information on this error, head to: https://ai.google.dev/gemini-api/docs/rate-limits.');
    case 400:
      return reply(400, context.message ?? 'Invalid JSON payload received.');
    case 403:
      return reply(403, 'The caller does not have permission');
    case 404:
      return reply(404, context.message ?? `models/${context.model ?? ''} is not found for API version v1beta, or is not supported for generateContent.`);
    case 429:
      return reply(429, 'Resource has been exhausted (e.g. check quota).');
    case 500:
      return reply(500, 'An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting');
    case 503:
      return reply(503, 'The model is overloaded. Please try again later.');
    default:
      return reply(kind, `mock-upstream failure ${kind}`);
  }
}

/** A request the real provider would reject (missing field, bad value): answered in the surface's error shape. */
export class MockRequestError extends Error {
  override readonly name = 'MockRequestError';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export function badRequest(message: string): MockRequestError {
  return new MockRequestError(400, message);
}
