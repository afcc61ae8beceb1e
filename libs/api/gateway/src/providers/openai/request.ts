import { InvalidInputError } from '@tiergate/api-core';
import { type ChatRequest, isRecord } from '../canonical.js';

/** Canonical is OpenAI chat: the body as it is, model mapped, usage forced into streams. */
export function toOpenAiRequest(req: Record<string, unknown>, upstreamModel: string, stream: boolean): Record<string, unknown> {
  const options = isRecord(req['stream_options']) ? req['stream_options'] : {};
  return { ...req, model: upstreamModel, ...(stream ? { stream: true, stream_options: { ...options, include_usage: true } } : { stream: false }) };
}

function bad(message: string): never {
  throw new InvalidInputError('invalid_request', message);
}

/** Checks what the relay relies on in an OpenAI chat body; the rest goes through as sent. */
export function parseChatRequest(raw: unknown): ChatRequest {
  if (!isRecord(raw)) bad('The body must be a JSON object');
  if (typeof raw['model'] !== 'string' || raw['model'] === '') bad('model is required');
  if (!Array.isArray(raw['messages']) || raw['messages'].length === 0) bad('messages must be a non-empty array');
  raw['messages'].forEach((m, i) => {
    if (!isRecord(m) || typeof m['role'] !== 'string') bad(`messages[${i}] must be an object with a role`);
  });
  for (const field of ['max_tokens', 'max_completion_tokens'] as const) {
    const v = raw[field];
    if (v !== undefined && v !== null && (!Number.isSafeInteger(v) || (v as number) < 1)) bad(`${field} must be a positive integer`);
  }
  if (raw['stream'] !== undefined && raw['stream'] !== null && typeof raw['stream'] !== 'boolean') bad('stream must be a boolean');
  return raw as ChatRequest;
}
