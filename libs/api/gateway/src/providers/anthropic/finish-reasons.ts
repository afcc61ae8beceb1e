import type { FinishReason } from '../canonical.js';

/** Anthropic `stop_reason` → canonical finish reason. */
export const FINISH_FROM_ANTHROPIC: Readonly<Record<string, FinishReason>> = {
  end_turn: 'stop',
  stop_sequence: 'stop',
  pause_turn: 'stop',
  max_tokens: 'length',
  model_context_window_exceeded: 'length',
  tool_use: 'tool_calls',
  refusal: 'content_filter',
};

/** Canonical finish reason → Anthropic `stop_reason`. */
export const FINISH_TO_ANTHROPIC: Readonly<Record<FinishReason, string>> = {
  stop: 'end_turn',
  length: 'max_tokens',
  tool_calls: 'tool_use',
  content_filter: 'refusal',
};
