import { type ChatCompletion, isRecord, openAiUsage, type TokenUsage, type ToolCall } from '../canonical.js';
import { FINISH_FROM_GEMINI, FINISH_TO_GEMINI } from './finish-reasons.js';
import { usageFromGemini, usageToGemini } from './usage.js';

/** The first candidate of a Gemini answer: its text, thoughts and function calls. */
export function readCandidate(json: unknown, callNumber: () => number): { text: string; thoughts: string; calls: ToolCall[]; finish: string | null } {
  const candidate = isRecord(json) && Array.isArray(json['candidates']) && isRecord(json['candidates'][0]) ? json['candidates'][0] : {};
  const parts = isRecord(candidate['content']) && Array.isArray(candidate['content']['parts']) ? candidate['content']['parts'] : [];
  let text = '';
  let thoughts = '';
  const calls: ToolCall[] = [];
  for (const p of parts) {
    if (!isRecord(p)) continue;
    const call = p['functionCall'] ?? p['function_call'];
    if (typeof p['text'] === 'string') {
      if (p['thought'] === true) thoughts += p['text'];
      else text += p['text'];
    } else if (isRecord(call)) {
      calls.push({ id: typeof call['id'] === 'string' ? call['id'] : `call_${callNumber()}`, type: 'function', function: { name: String(call['name']), arguments: JSON.stringify(call['args'] ?? {}) } });
    }
  }
  return { text, thoughts, calls, finish: typeof candidate['finishReason'] === 'string' ? candidate['finishReason'] : null };
}

/** A Gemini answer → canonical completion. A STOP that carries function calls is `tool_calls`. */
export function fromGeminiResponse(json: unknown, model: string): { completion: ChatCompletion; usage: TokenUsage | null } {
  let n = 0;
  const { text, thoughts, calls, finish } = readCandidate(json, () => n++);
  const usage = usageFromGemini(isRecord(json) ? json['usageMetadata'] : undefined);
  const reason = calls.length > 0 && (finish === 'STOP' || finish === null) ? 'tool_calls' : (FINISH_FROM_GEMINI[finish ?? 'STOP'] ?? 'stop');
  return {
    completion: {
      id: isRecord(json) && typeof json['responseId'] === 'string' ? json['responseId'] : 'gemini',
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model,
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: text === '' && calls.length > 0 ? null : text, ...(calls.length > 0 && { tool_calls: calls }), ...(thoughts && { reasoning_content: thoughts }) },
          finish_reason: reason,
        },
      ],
      ...(usage && { usage: openAiUsage(usage) }),
    },
    usage,
  };
}

export function geminiCallPart(call: ToolCall): Record<string, unknown> {
  let args: unknown = {};
  try {
    args = JSON.parse(call.function.arguments || '{}');
  } catch {
    args = { _raw: call.function.arguments };
  }
  return { functionCall: { id: call.id, name: call.function.name, args } };
}

/** Canonical completion → a Gemini generateContent answer. */
export function toGeminiResponse(completion: ChatCompletion, usage: TokenUsage, model: string): Record<string, unknown> {
  const message = completion.choices[0]?.message;
  const parts: Record<string, unknown>[] = [];
  if (message?.reasoning_content) parts.push({ text: message.reasoning_content, thought: true });
  if (message?.content) parts.push({ text: message.content });
  for (const call of message?.tool_calls ?? []) parts.push(geminiCallPart(call));
  return {
    candidates: [{ content: { role: 'model', parts }, finishReason: FINISH_TO_GEMINI[completion.choices[0]?.finish_reason ?? 'stop'], index: 0 }],
    usageMetadata: usageToGemini(usage),
    modelVersion: model,
    responseId: completion.id,
  };
}
