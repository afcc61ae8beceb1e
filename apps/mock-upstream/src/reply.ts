import type { MockControls } from './controls.js';
import { countWords, hash32, splitWords } from './words.js';

/** Reply length, in words, when neither the request's max tokens nor `tokens` says otherwise. */
export const DEFAULT_REPLY_TOKENS = 20;
/** How much of the source text the reply echoes. */
export const ECHO_CHARS = 40;
/** Size of one streamed tool-argument delta, in characters. */
export const ARGUMENT_DELTA_CHARS = 8;

const FILLER = 'lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor incididunt ut labore et dolore magna aliqua'.split(' ');

/** A tool the request declares: its name and JSON-schema parameters. */
export interface ToolSpec {
  name: string;
  parameters: unknown;
}

/** How the request lets the model use tools (OpenAI tool_choice, Anthropic tool_choice, Gemini toolConfig). */
export type ToolChoice = { mode: 'auto' } | { mode: 'none' } | { mode: 'required' } | { mode: 'named'; name: string };

/** What every surface extracts from its request before the reply is planned. */
export interface Conversation {
  /** Words across all message text (system prompt, messages, tool calls and tool results). */
  promptTokens: number;
  /** The text the reply echoes: the last user message (or tool results, after a tool round). */
  source: string;
  /** The last message is the user's own text (not tool results), so it may ask for tool calls. */
  userTurn: boolean;
  tools: readonly ToolSpec[];
  toolChoice: ToolChoice;
  maxTokens: number | undefined;
}

export interface TextReply {
  kind: 'text';
  text: string;
  /** The text cut into stream deltas; `pieces.join('') === text`. */
  pieces: string[];
  completionTokens: number;
  /** The request's max tokens cut the reply short (finish reason length / max_tokens / MAX_TOKENS). */
  truncated: boolean;
}

export interface ToolCall {
  /** Deterministic id body; surfaces prefix it (`call_`, `toolu_`). */
  id: string;
  name: string;
  input: Record<string, unknown>;
  /** `JSON.stringify(input)`. */
  arguments: string;
  /** `arguments` cut into stream deltas of `ARGUMENT_DELTA_CHARS`. */
  argumentDeltas: string[];
}

export interface ToolReply {
  kind: 'tools';
  calls: ToolCall[];
  /** Per call: 1 for the name plus the words of its arguments JSON. */
  completionTokens: number;
}

export type ReplyPlan = TextReply | ToolReply;

/** Token counts a surface reports, after the cache controls are applied. */
export interface UsageCounts {
  prompt: number;
  completion: number;
  /** Prompt words read from the cache (part of `prompt`). */
  cacheRead: number;
  /** Prompt words written to the cache (part of `prompt`). */
  cacheWrite: number;
}

/** Plans the deterministic answer to a conversation: the same input always gives the same plan. */
export function planReply(conversation: Conversation, controls: MockControls): ReplyPlan {
  const toolNames = chooseTools(conversation);
  if (toolNames.length > 0) return toolReply(conversation, toolNames);
  return textReply(conversation.source, controls.tokens ?? DEFAULT_REPLY_TOKENS, conversation.maxTokens, controls.chunks);
}

/**
 * `Echo: <first 40 chars of source>` then filler words, exactly `min(length, maxTokens)` words,
 * cut into one piece per word (a leading space on all but the first) or into `chunks` pieces.
 */
export function textReply(source: string, length: number, maxTokens: number | undefined, chunks?: number): TextReply {
  const target = maxTokens !== undefined && maxTokens < length ? Math.max(0, maxTokens) : length;
  const words = target > 0 ? ['Echo:'] : [];
  if (target > 1) {
    const echoed = splitWords(source.slice(0, ECHO_CHARS));
    for (let i = 0; i < echoed.length && words.length < target; i++) words.push(echoed[i]);
    for (let i = 0; words.length < target; i++) words.push(FILLER[i % FILLER.length]);
  }
  const pieces = chunkWords(words, chunks);
  return { kind: 'text', text: words.join(' '), pieces, completionTokens: words.length, truncated: target < length };
}

function chunkWords(words: string[], chunks: number | undefined): string[] {
  const count = chunks === undefined || chunks >= words.length ? words.length : Math.max(1, chunks);
  const pieces: string[] = new Array<string>(count);
  if (count === words.length) {
    for (let i = 0; i < count; i++) pieces[i] = i === 0 ? words[0] : ' ' + words[i];
    return pieces;
  }
  const per = Math.floor(words.length / count);
  const extra = words.length % count;
  let at = 0;
  for (let i = 0; i < count; i++) {
    const size = per + (i < extra ? 1 : 0);
    const piece = words.slice(at, at + size).join(' ');
    pieces[i] = at === 0 ? piece : ' ' + piece;
    at += size;
  }
  return pieces;
}

const CALL = /\bcall\s+/gi;
const NAME_EDGE = /^[^A-Za-z0-9_]+|[^A-Za-z0-9_]+$/g;
const SENTENCE_END = /[.;:!?]$/;

/**
 * The tools to call: the forced tool of a named tool_choice; otherwise, on a user turn, the
 * declared tools listed after `call` in the source text (`call a`, `call a and b`, `call a, b and c`);
 * with a `required` choice and no such list, the first tool.
 */
export function chooseTools(conversation: Conversation): string[] {
  const { tools, toolChoice } = conversation;
  if (tools.length === 0 || toolChoice.mode === 'none') return [];
  if (toolChoice.mode === 'named') return tools.some((tool) => tool.name === toolChoice.name) ? [toolChoice.name] : [];
  if (!conversation.userTurn) return [];
  const source = conversation.source;
  const names: string[] = [];
  if (source.length >= 5) {
    for (const match of source.matchAll(CALL)) {
      const rest = source.slice((match.index ?? 0) + match[0].length);
      for (const word of splitWords(rest.replaceAll(',', ' , '))) {
        const name = word.replace(NAME_EDGE, '');
        if (tools.some((tool) => tool.name === name)) names.push(name);
        else if (word === ',' || name.toLowerCase() === 'and') continue;
        else break;
        if (SENTENCE_END.test(word)) break;
      }
      if (names.length > 0) break;
    }
  }
  if (names.length === 0 && toolChoice.mode === 'required') names.push(tools[0].name);
  return names;
}

function toolReply(conversation: Conversation, names: string[]): ToolReply {
  let completionTokens = 0;
  const calls = names.map((name, index): ToolCall => {
    const tool = conversation.tools.find((candidate) => candidate.name === name);
    const input = argumentsFor(tool?.parameters);
    const args = JSON.stringify(input);
    completionTokens += 1 + countWords(args);
    const argumentDeltas: string[] = [];
    for (let at = 0; at < args.length; at += ARGUMENT_DELTA_CHARS) argumentDeltas.push(args.slice(at, at + ARGUMENT_DELTA_CHARS));
    const id = hash32(`${conversation.source}\u0000${name}\u0000${index}`).toString(16).padStart(8, '0') + index.toString(16).padStart(4, '0');
    return { id, name, input, arguments: args, argumentDeltas };
  });
  return { kind: 'tools', calls, completionTokens };
}

/**
 * Deterministic arguments from a JSON schema: every declared property gets its first enum value,
 * or `"mock-<name>"` for strings, 42 for numbers, true for booleans, [] and {} for arrays and objects.
 */
export function argumentsFor(schema: unknown): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  const properties = isRecord(schema) && isRecord(schema['properties']) ? schema['properties'] : undefined;
  if (!properties) return input;
  for (const [name, property] of Object.entries(properties)) input[name] = valueFor(name, property);
  return input;
}

function valueFor(name: string, property: unknown): unknown {
  if (!isRecord(property)) return null;
  const choices = property['enum'];
  if (Array.isArray(choices) && choices.length > 0) return choices[0];
  const type = Array.isArray(property['type']) ? property['type'][0] : property['type'];
  switch (typeof type === 'string' ? type.toLowerCase() : undefined) {
    case 'string':
      return `mock-${name}`;
    case 'integer':
    case 'number':
      return 42;
    case 'boolean':
      return true;
    case 'array':
      return [];
    case 'object':
      return argumentsFor(property);
    default:
      return null;
  }
}

/** Usage after the cache controls: cache reads first, then writes, both capped by the prompt. */
export function usageCounts(promptTokens: number, completionTokens: number, controls: MockControls): UsageCounts {
  const cacheRead = Math.min(controls.cachedTokens ?? 0, promptTokens);
  const cacheWrite = Math.min(controls.cacheWriteTokens ?? 0, promptTokens - cacheRead);
  return { prompt: promptTokens, completion: completionTokens, cacheRead, cacheWrite };
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Words of any JSON value as the prompt counts it: strings as they are, anything else serialised. */
export function wordsOfValue(value: unknown): number {
  if (value === undefined || value === null) return 0;
  return countWords(typeof value === 'string' ? value : JSON.stringify(value));
}
