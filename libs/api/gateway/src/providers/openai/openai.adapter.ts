import { joinUrl, type ProviderAdapter, type WireProtocol } from '../provider.js';
import { classifyOpenAiFailure } from './errors.js';
import { toOpenAiRequest } from './request.js';
import { fromOpenAiResponse } from './response.js';
import { OpenAiStreamDecoder } from './stream.js';

export const openAiWire: WireProtocol = {
  protocol: 'openai',
  // Reasoning read from another protocol's history is not input OpenAI-style APIs take back (DeepSeek refuses it).
  buildRequest: (req, model, stream) => toOpenAiRequest({ ...req, messages: req.messages.map(({ reasoning_content: _r, ...m }) => m) }, model, stream),
  passthroughRequest: toOpenAiRequest,
  parseResponse: fromOpenAiResponse,
  streamDecoder: (_model, opts) => new OpenAiStreamDecoder(opts),
  modelField: 'model',
};

/** OpenAI itself, and every OpenAI-compatible upstream (the registry's family): same wire format. */
export function openAiCompatibleAdapter(id: string): ProviderAdapter {
  return {
    id,
    protocol: 'openai',
    wire: openAiWire,
    chatUrl: (baseUrl) => joinUrl(baseUrl, '/chat/completions'),
    authHeaders: (apiKey) => ({ authorization: `Bearer ${apiKey}` }),
    classifyFailure: classifyOpenAiFailure,
    probe: (baseUrl, apiKey) => ({ url: joinUrl(baseUrl, '/models'), headers: { authorization: `Bearer ${apiKey}` } }),
    embeddingsUrl: (baseUrl) => joinUrl(baseUrl, '/embeddings'),
  };
}

/** Azure OpenAI: deployments in the path, the key in `api-key`. */
export const azureOpenAiAdapter: ProviderAdapter = {
  id: 'azure',
  protocol: 'openai',
  wire: openAiWire,
  chatUrl: (baseUrl, model) => azureUrl(baseUrl, `/openai/deployments/${encodeURIComponent(model)}/chat/completions`),
  authHeaders: (apiKey) => ({ 'api-key': apiKey }),
  classifyFailure: classifyOpenAiFailure,
  probe: (baseUrl, apiKey) => ({ url: azureUrl(baseUrl, '/openai/models'), headers: { 'api-key': apiKey } }),
  embeddingsUrl: (baseUrl, model) => azureUrl(baseUrl, `/openai/deployments/${encodeURIComponent(model)}/embeddings`),
};

/** Azure paths hang off the resource URL and always carry an api-version. */
function azureUrl(baseUrl: string, path: string): string {
  const url = new URL(baseUrl);
  const version = url.searchParams.get('api-version') ?? '2024-10-21';
  return `${url.origin}${url.pathname.replace(/\/$/, '')}${path}?api-version=${version}`;
}
