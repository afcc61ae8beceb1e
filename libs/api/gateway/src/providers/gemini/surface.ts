import { InvalidInputError, toGeminiShape } from '@tiergate/api-core';
import { isRecord } from '../canonical.js';
import type { Surface } from '../provider.js';
import { fromGeminiRequest } from './request.js';
import { toGeminiResponse } from './response.js';
import { GeminiStreamEncoder } from './stream.js';

/** `POST /v1beta/models/{model}:generateContent` and `:streamGenerateContent?alt=sse`: the Gemini SDKs. */
export const geminiSurface: Surface = {
  protocol: 'gemini',
  parse(raw, route) {
    if (!isRecord(raw)) throw new InvalidInputError('invalid_request', 'The body must be a JSON object');
    const model = route.model ?? '';
    const stream = route.stream === true;
    return { model, stream, includeUsage: true, canonical: fromGeminiRequest(raw, model, stream), native: raw };
  },
  renderResponse: toGeminiResponse,
  streamEncoder: (ctx) => new GeminiStreamEncoder(ctx),
  errorBody: toGeminiShape,
};
