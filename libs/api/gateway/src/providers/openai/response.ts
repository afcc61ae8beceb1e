import type { ChatCompletion, TokenUsage } from '../canonical.js';
import { isRecord } from '../canonical.js';
import { usageFromOpenAi } from './usage.js';

/** An OpenAI chat completion is canonical already: only its usage is read. */
export function fromOpenAiResponse(json: unknown, model: string): { completion: ChatCompletion; usage: TokenUsage | null } {
  const completion = (isRecord(json) ? json : { choices: [] }) as unknown as ChatCompletion;
  return { completion: { ...completion, model, choices: Array.isArray(completion.choices) ? completion.choices : [] }, usage: usageFromOpenAi(completion.usage) };
}
