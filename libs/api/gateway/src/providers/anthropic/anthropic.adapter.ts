import { joinUrl, type ProviderAdapter, type WireProtocol } from '../provider.js';
import { classifyAnthropicFailure } from './errors.js';
import { toAnthropicRequest } from './request.js';
import { fromAnthropicMessage } from './response.js';
import { AnthropicStreamDecoder } from './stream.js';

/** The API version the relay speaks upstream when the client did not name one. */
export const ANTHROPIC_VERSION = '2023-06-01';

export const anthropicWire: WireProtocol = {
  protocol: 'anthropic',
  buildRequest: toAnthropicRequest,
  // Anthropic streams always carry usage (message_start and message_delta): nothing to force.
  passthroughRequest: (native, upstreamModel) => ({ ...native, model: upstreamModel }),
  parseResponse: fromAnthropicMessage,
  streamDecoder: (model, opts) => new AnthropicStreamDecoder(model, opts),
  modelField: 'model',
};

/** Anthropic: base URL `https://api.anthropic.com/v1`, key in `x-api-key`. */
export const anthropicAdapter: ProviderAdapter = {
  id: 'anthropic',
  protocol: 'anthropic',
  wire: anthropicWire,
  chatUrl: (baseUrl) => joinUrl(baseUrl, '/messages'),
  authHeaders: (apiKey) => ({ 'x-api-key': apiKey, 'anthropic-version': ANTHROPIC_VERSION }),
  probe: (baseUrl, apiKey) => ({ url: joinUrl(baseUrl, '/models'), headers: { 'x-api-key': apiKey, 'anthropic-version': ANTHROPIC_VERSION } }),
  classifyFailure: classifyAnthropicFailure,
};
