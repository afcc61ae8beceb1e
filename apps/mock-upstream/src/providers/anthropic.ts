import { badRequest } from '../errors.js';
import type { Exchange } from '../exchange.js';
import { json, SSE, type Answer } from '../http-io.js';
import { ANTHROPIC_MODELS } from '../models.js';
import { isRecord, planReply, usageCounts, wordsOfValue, type Conversation, type ReplyPlan, type ToolChoice, type ToolSpec, type UsageCounts } from '../reply.js';
import { countWords } from '../words.js';

const MODEL_LIST = JSON.stringify({
  data: ANTHROPIC_MODELS.map((id) => ({ type: 'model', id, display_name: id, created_at: '2025-01-01T00:00:00Z' })),
  has_more: false,
  first_id: ANTHROPIC_MODELS[0],
  last_id: ANTHROPIC_MODELS[ANTHROPIC_MODELS.length - 1],
});

/** `GET /v1/models` with an `anthropic-version` header (a pre-built body). */
export function listModels(): Answer {
  return { kind: 'json', status: 200, body: MODEL_LIST };
}

const PING = 'event: ping\ndata: {"type": "ping"}\n\n';
const MESSAGE_STOP = 'event: message_stop\ndata: {"type":"message_stop"}\n\n';

/** Words of a content block: text, tool_use input, tool_result content (string or text blocks). */
function wordsOfBlock(block: unknown): number {
  if (!isRecord(block)) return 0;
  switch (block['type']) {
    case 'text':
      return typeof block['text'] === 'string' ? countWords(block['text']) : 0;
    case 'tool_use':
      return wordsOfValue(block['input']);
    case 'tool_result':
      return wordsOfContent(block['content']);
    default:
      return 0;
  }
}

function wordsOfContent(content: unknown): number {
  if (typeof content === 'string') return countWords(content);
  if (!Array.isArray(content)) return 0;
  let words = 0;
  for (const block of content) words += wordsOfBlock(block);
  return words;
}

/** Text of a user message: its text blocks and the text of its tool results, joined by spaces. */
function textOf(content: unknown): { text: string; hasToolResult: boolean } {
  if (typeof content === 'string') return { text: content, hasToolResult: false };
  if (!Array.isArray(content)) return { text: '', hasToolResult: false };
  const parts: string[] = [];
  let hasToolResult = false;
  for (const block of content) {
    if (!isRecord(block)) continue;
    if (block['type'] === 'text' && typeof block['text'] === 'string') parts.push(block['text']);
    else if (block['type'] === 'tool_result') {
      hasToolResult = true;
      parts.push(textOf(block['content']).text);
    }
  }
  return { text: parts.join(' '), hasToolResult };
}

function toolsOf(tools: unknown): ToolSpec[] {
  if (!Array.isArray(tools)) return [];
  const specs: ToolSpec[] = [];
  for (const tool of tools) if (isRecord(tool) && typeof tool['name'] === 'string') specs.push({ name: tool['name'], parameters: tool['input_schema'] });
  return specs;
}

function toolChoiceOf(choice: unknown): ToolChoice {
  if (!isRecord(choice)) return { mode: 'auto' };
  if (choice['type'] === 'none') return { mode: 'none' };
  if (choice['type'] === 'any') return { mode: 'required' };
  if (choice['type'] === 'tool' && typeof choice['name'] === 'string') return { mode: 'named', name: choice['name'] };
  return { mode: 'auto' };
}

/**
 * Prompt words: the system prompt plus every message's text, tool_use inputs (as JSON) and
 * tool_result contents. The reply echoes the last user message (text and tool results).
 */
export function messagesConversation(body: Record<string, unknown>, requireMaxTokens: boolean): Conversation {
  if (typeof body['model'] !== 'string' || body['model'] === '') throw badRequest('model: Field required');
  const messages = body['messages'];
  if (!Array.isArray(messages) || messages.length === 0) throw badRequest('messages: at least one message is required');
  const maxTokens = body['max_tokens'];
  if (requireMaxTokens && (typeof maxTokens !== 'number' || !Number.isInteger(maxTokens) || maxTokens < 1)) {
    throw badRequest(maxTokens === undefined ? 'max_tokens: Field required' : 'max_tokens: Input should be a valid integer greater than or equal to 1');
  }
  let promptTokens = wordsOfContent(body['system']);
  let source: { text: string; hasToolResult: boolean } | undefined;
  for (let i = messages.length - 1; i >= 0; i--) {
    const message: unknown = messages[i];
    if (!isRecord(message) || (message['role'] !== 'user' && message['role'] !== 'assistant')) {
      throw badRequest(`messages.${i}.role: Input should be 'user' or 'assistant'`);
    }
    promptTokens += wordsOfContent(message['content']);
    if (source === undefined && message['role'] === 'user') source = textOf(message['content']);
  }
  const last = messages[messages.length - 1] as Record<string, unknown>;
  return {
    promptTokens,
    source: source?.text ?? '',
    userTurn: last['role'] === 'user' && source?.hasToolResult === false,
    tools: toolsOf(body['tools']),
    toolChoice: toolChoiceOf(body['tool_choice']),
    maxTokens: typeof maxTokens === 'number' ? maxTokens : undefined,
  };
}

function anthropicUsage(usage: UsageCounts, outputTokens: number): Record<string, unknown> {
  return {
    input_tokens: usage.prompt - usage.cacheRead - usage.cacheWrite,
    cache_creation_input_tokens: usage.cacheWrite,
    cache_read_input_tokens: usage.cacheRead,
    output_tokens: outputTokens,
    service_tier: 'standard',
  };
}

function stopReason(plan: ReplyPlan): string {
  if (plan.kind === 'tools') return 'tool_use';
  return plan.truncated ? 'max_tokens' : 'end_turn';
}

function contentOf(plan: ReplyPlan): unknown[] {
  if (plan.kind === 'text') return [{ type: 'text', text: plan.text }];
  return plan.calls.map((call) => ({ type: 'tool_use', id: `toolu_${call.id}`, name: call.name, input: call.input }));
}

/**
 * `POST /v1/messages`, streamed when `stream: true`. Usage: `input_tokens` is the prompt minus
 * cache reads and writes, as Anthropic counts it.
 */
export function messages(x: Exchange): Answer {
  const conversation = messagesConversation(x.body, true);
  const plan = planReply(conversation, x.controls);
  const usage = usageCounts(conversation.promptTokens, plan.completionTokens, x.controls);
  const id = `msg_mock${x.seq.toString(36)}`;
  if (x.body['stream'] === true) return messagesStream(x, id, plan, usage);
  return json({
    id,
    type: 'message',
    role: 'assistant',
    model: x.model,
    content: contentOf(plan),
    stop_reason: stopReason(plan),
    stop_sequence: null,
    ...(x.controls.noUsage ? {} : { usage: anthropicUsage(usage, usage.completion) }),
  });
}

function event(name: string, data: string): string {
  return `event: ${name}\ndata: ${data}\n\n`;
}

function messagesStream(x: Exchange, id: string, plan: ReplyPlan, usage: UsageCounts): Answer {
  const noUsage = x.controls.noUsage === true;
  const start = {
    type: 'message_start',
    message: {
      id,
      type: 'message',
      role: 'assistant',
      model: x.model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      ...(noUsage ? {} : { usage: anthropicUsage(usage, 1) }),
    },
  };
  const frames = [event('message_start', JSON.stringify(start))];
  if (plan.kind === 'text') {
    frames.push(event('content_block_start', '{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}'), PING);
    for (const piece of plan.pieces) {
      frames.push(event('content_block_delta', `{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":${JSON.stringify(piece)}}}`));
    }
    frames.push(event('content_block_stop', '{"type":"content_block_stop","index":0}'));
  } else {
    plan.calls.forEach((call, index) => {
      const block = JSON.stringify({ type: 'tool_use', id: `toolu_${call.id}`, name: call.name, input: {} });
      frames.push(event('content_block_start', `{"type":"content_block_start","index":${index},"content_block":${block}}`));
      if (index === 0) frames.push(PING);
      for (const delta of ['', ...call.argumentDeltas]) {
        frames.push(event('content_block_delta', `{"type":"content_block_delta","index":${index},"delta":{"type":"input_json_delta","partial_json":${JSON.stringify(delta)}}}`));
      }
      frames.push(event('content_block_stop', `{"type":"content_block_stop","index":${index}}`));
    });
  }
  const usagePart = noUsage ? '' : `,"usage":{"output_tokens":${usage.completion}}`;
  frames.push(event('message_delta', `{"type":"message_delta","delta":{"stop_reason":"${stopReason(plan)}","stop_sequence":null}${usagePart}}`));
  frames.push(MESSAGE_STOP);
  return { kind: 'stream', contentType: SSE, frames };
}

/** `POST /v1/messages/count_tokens`: the prompt words (max_tokens not needed). */
export function countTokens(x: Exchange): Answer {
  return json({ input_tokens: messagesConversation(x.body, false).promptTokens });
}
