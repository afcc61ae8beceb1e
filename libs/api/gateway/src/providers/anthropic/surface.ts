import { InvalidInputError, toAnthropicShape } from '@tiergate/api-core';
import { isRecord } from '../canonical.js';
import type { Surface } from '../provider.js';
import { fromAnthropicRequest } from './request.js';
import { toAnthropicMessage } from './response.js';
import { AnthropicStreamEncoder } from './stream.js';

/** `POST /v1/messages`: what Claude Code and the Anthropic SDKs speak. */
export const anthropicSurface: Surface = {
  protocol: 'anthropic',
  parse(raw) {
    if (!isRecord(raw)) throw new InvalidInputError('invalid_request', 'The body must be a JSON object');
    const canonical = fromAnthropicRequest(raw);
    return { model: canonical.model, stream: canonical.stream === true, includeUsage: true, canonical, native: raw };
  },
  renderResponse: toAnthropicMessage,
  streamEncoder: (ctx) => new AnthropicStreamEncoder(ctx),
  errorBody: toAnthropicShape,
};
