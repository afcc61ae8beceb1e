import { joinUrl, type ProviderAdapter, type WireProtocol } from '../provider.js';
import { classifyGeminiFailure } from './errors.js';
import { toGeminiRequest } from './request.js';
import { fromGeminiResponse } from './response.js';
import { GeminiStreamDecoder } from './stream.js';

export const geminiWire: WireProtocol = {
  protocol: 'gemini',
  // The model and the stream choice are in the URL, not the body.
  buildRequest: (req) => toGeminiRequest(req),
  passthroughRequest: (native) => native,
  parseResponse: fromGeminiResponse,
  streamDecoder: (model) => new GeminiStreamDecoder(model),
  modelField: 'modelVersion',
};

/** Gemini API: base URL `https://generativelanguage.googleapis.com/v1beta`, key in `x-goog-api-key`. */
export const geminiAdapter: ProviderAdapter = {
  id: 'gemini',
  protocol: 'gemini',
  wire: geminiWire,
  chatUrl: (baseUrl, model, stream) => joinUrl(baseUrl, `/models/${encodeURIComponent(model)}:${stream ? 'streamGenerateContent?alt=sse' : 'generateContent'}`),
  authHeaders: (apiKey) => ({ 'x-goog-api-key': apiKey }),
  probe: (baseUrl, apiKey) => ({ url: joinUrl(baseUrl, '/models'), headers: { 'x-goog-api-key': apiKey } }),
  classifyFailure: classifyGeminiFailure,
};
