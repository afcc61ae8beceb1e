import { encode } from 'gpt-tokenizer';

/**
 * Counts tokens when an upstream reports none (and for the reservation estimate). o200k is the
 * encoding of current OpenAI models; for other vendors it is an estimate, which is all a
 * provider that reports no usage leaves us.
 */
export function countTokens(text: string): number {
  return text.length === 0 ? 0 : encode(text).length;
}

interface MessageLike {
  role?: unknown;
  content?: unknown;
  name?: unknown;
  tool_calls?: unknown;
}

/** Text of one content value: a string, or the text parts of a multi-part array. */
function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  let text = '';
  for (const part of content) {
    if (part && typeof part === 'object' && typeof (part as { text?: unknown }).text === 'string') text += (part as { text: string }).text;
  }
  return text;
}

// OpenAI's documented per-message overhead for chat formats.
const PER_MESSAGE = 3;
const PER_REPLY = 3;

/** Prompt tokens of an OpenAI chat request: messages, names, tool calls and tool definitions. */
export function countChatPromptTokens(messages: unknown, tools?: unknown): number {
  let total = PER_REPLY;
  if (Array.isArray(messages)) {
    for (const raw of messages as MessageLike[]) {
      total += PER_MESSAGE;
      if (!raw || typeof raw !== 'object') continue;
      total += countTokens(textOf(raw.content));
      if (typeof raw.role === 'string') total += 1;
      if (typeof raw.name === 'string') total += countTokens(raw.name);
      if (raw.tool_calls !== undefined) total += countTokens(JSON.stringify(raw.tool_calls));
    }
  }
  if (tools !== undefined) total += countTokens(JSON.stringify(tools));
  return total;
}
