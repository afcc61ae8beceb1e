import { type ChatCompletion, isRecord, openAiUsage, type TokenUsage, type ToolCall } from '../canonical.js';
import { FINISH_FROM_ANTHROPIC, FINISH_TO_ANTHROPIC } from './finish-reasons.js';
import { usageFromAnthropic, usageToAnthropic } from './usage.js';

/** An Anthropic message → canonical completion: text joined, tool_use → tool calls, thinking → reasoning. */
export function fromAnthropicMessage(json: unknown, model: string): { completion: ChatCompletion; usage: TokenUsage | null } {
  const msg = isRecord(json) ? json : {};
  let text = '';
  let reasoning = '';
  const calls: ToolCall[] = [];
  for (const block of Array.isArray(msg['content']) ? msg['content'] : []) {
    if (!isRecord(block)) continue;
    if (block['type'] === 'text' && typeof block['text'] === 'string') text += block['text'];
    else if (block['type'] === 'thinking' && typeof block['thinking'] === 'string') reasoning += block['thinking'];
    else if (block['type'] === 'tool_use') calls.push({ id: String(block['id']), type: 'function', function: { name: String(block['name']), arguments: JSON.stringify(block['input'] ?? {}) } });
  }
  const usage = usageFromAnthropic(msg['usage']);
  const stop = typeof msg['stop_reason'] === 'string' ? msg['stop_reason'] : 'end_turn';
  return {
    completion: {
      id: typeof msg['id'] === 'string' ? msg['id'] : 'msg',
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model,
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: text === '' && calls.length > 0 ? null : text, ...(calls.length > 0 && { tool_calls: calls }), ...(reasoning && { reasoning_content: reasoning }) },
          finish_reason: FINISH_FROM_ANTHROPIC[stop] ?? 'stop',
        },
      ],
      ...(usage && { usage: openAiUsage(usage) }),
    },
    usage,
  };
}

/** Canonical completion → an Anthropic message (what the Anthropic surface answers). */
export function toAnthropicMessage(completion: ChatCompletion, usage: TokenUsage, model: string): Record<string, unknown> {
  const message = completion.choices[0]?.message;
  const content: Record<string, unknown>[] = [];
  if (message?.content) content.push({ type: 'text', text: message.content });
  for (const call of message?.tool_calls ?? []) {
    let input: unknown = {};
    try {
      input = JSON.parse(call.function.arguments || '{}');
    } catch {
      input = { _raw: call.function.arguments };
    }
    content.push({ type: 'tool_use', id: call.id, name: call.function.name, input });
  }
  const finish = completion.choices[0]?.finish_reason ?? 'stop';
  return {
    id: completion.id.startsWith('msg_') ? completion.id : `msg_${completion.id}`,
    type: 'message',
    role: 'assistant',
    model,
    content,
    stop_reason: FINISH_TO_ANTHROPIC[finish],
    stop_sequence: null,
    usage: usageToAnthropic(usage),
  };
}
