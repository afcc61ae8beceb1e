import type { FinishReason } from '../canonical.js';

/** Gemini `finishReason` → canonical; a STOP with function calls is `tool_calls` (decided by the caller). */
export const FINISH_FROM_GEMINI: Readonly<Record<string, FinishReason>> = {
  STOP: 'stop',
  MAX_TOKENS: 'length',
  SAFETY: 'content_filter',
  RECITATION: 'content_filter',
  BLOCKLIST: 'content_filter',
  PROHIBITED_CONTENT: 'content_filter',
  SPII: 'content_filter',
  IMAGE_SAFETY: 'content_filter',
  LANGUAGE: 'stop',
  MALFORMED_FUNCTION_CALL: 'stop',
  OTHER: 'stop',
};

/** Canonical → Gemini; Gemini has no tool-call reason of its own (its calls end with STOP). */
export const FINISH_TO_GEMINI: Readonly<Record<FinishReason, string>> = {
  stop: 'STOP',
  length: 'MAX_TOKENS',
  tool_calls: 'STOP',
  content_filter: 'SAFETY',
};
