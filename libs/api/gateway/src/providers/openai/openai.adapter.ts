import type { ProviderAdapter } from '../provider.js';
import { classifyOpenAiFailure } from './errors.js';

function join(baseUrl: string, path: string): string {
  return baseUrl.endsWith('/') ? baseUrl.slice(0, -1) + path : baseUrl + path;
}

/** OpenAI itself, and every OpenAI-compatible upstream (see compatible.ts): same wire format. */
export function openAiCompatibleAdapter(id: string): ProviderAdapter {
  return {
    id,
    protocol: 'openai',
    chatUrl: (baseUrl) => join(baseUrl, '/chat/completions'),
    authHeaders: (apiKey) => ({ authorization: `Bearer ${apiKey}` }),
    classifyFailure: classifyOpenAiFailure,
    probe: (baseUrl, apiKey) => ({ url: join(baseUrl, '/models'), headers: { authorization: `Bearer ${apiKey}` } }),
  };
}

/** Azure OpenAI: deployments in the path, the key in `api-key`. */
export const azureOpenAiAdapter: ProviderAdapter = {
  id: 'azure',
  protocol: 'openai',
  chatUrl: (baseUrl, model) => azureUrl(baseUrl, `/openai/deployments/${encodeURIComponent(model)}/chat/completions`),
  authHeaders: (apiKey) => ({ 'api-key': apiKey }),
  classifyFailure: classifyOpenAiFailure,
  probe: (baseUrl, apiKey) => ({ url: azureUrl(baseUrl, '/openai/models'), headers: { 'api-key': apiKey } }),
};

/** Azure paths hang off the resource URL and always carry an api-version. */
function azureUrl(baseUrl: string, path: string): string {
  const url = new URL(baseUrl);
  const version = url.searchParams.get('api-version') ?? '2024-10-21';
  return `${url.origin}${url.pathname.replace(/\/$/, '')}${path}?api-version=${version}`;
}
