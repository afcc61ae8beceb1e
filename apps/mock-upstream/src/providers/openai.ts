import { badRequest } from '../errors.js';
import type { Exchange } from '../exchange.js';
import { json, SSE, type Answer } from '../http-io.js';
import { MODEL_CREATED, OPENAI_MODELS } from '../models.js';
import { isRecord, planReply, textReply, usageCounts, wordsOfValue, DEFAULT_REPLY_TOKENS, type Conversation, type ReplyPlan, type ToolChoice, type ToolSpec, type UsageCounts } from '../reply.js';
import { countWords, hash32, mulberry32 } from '../words.js';

const DONE = 'data: [DONE]\n\n';
const FINGERPRINT = 'fp_mock';

const MODEL_LIST = JSON.stringify({
  object: 'list',
  data: OPENAI_MODELS.map((id) => ({ id, object: 'model', created: MODEL_CREATED, owned_by: 'tiergate-mock' })),
});

/** `GET /v1/models` (a pre-built body). */
export function listModels(): Answer {
  return { kind: 'json', status: 200, body: MODEL_LIST };
}

/** `GET /v1/models/{id}`: any id exists. */
export function getModel(id: string): Answer {
  return json({ id, object: 'model', created: MODEL_CREATED, owned_by: 'tiergate-mock' });
}

/** Text of a message content: a string, or the text parts of an array joined by spaces. */
function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  let text = '';
  for (const part of content) {
    if (isRecord(part) && typeof part['text'] === 'string') text = text === '' ? part['text'] : `${text} ${part['text']}`;
  }
  return text;
}

function wordsOfContent(content: unknown): number {
  if (typeof content === 'string') return countWords(content);
  if (!Array.isArray(content)) return 0;
  let words = 0;
  for (const part of content) if (isRecord(part) && typeof part['text'] === 'string') words += countWords(part['text']);
  return words;
}

function maxTokensOf(body: Record<string, unknown>, ...fields: string[]): number | undefined {
  for (const field of fields) {
    const value = body[field];
    if (value === undefined || value === null) continue;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) throw badRequest(`Invalid '${field}': expected an integer greater than or equal to 1.`);
    return value;
  }
  return undefined;
}

/** The model comes from the body, or from the path on Azure deployment routes. */
function requireModel(x: Exchange): void {
  if (x.model === '') throw badRequest('you must provide a model parameter');
}

function requireSingleChoice(body: Record<string, unknown>): void {
  const n = body['n'];
  if (n !== undefined && n !== null && n !== 1) throw badRequest('mock-upstream supports n=1 only.');
}

function toolChoiceOf(choice: unknown): ToolChoice {
  if (choice === 'none') return { mode: 'none' };
  if (choice === 'required') return { mode: 'required' };
  if (isRecord(choice) && isRecord(choice['function']) && typeof choice['function']['name'] === 'string') {
    return { mode: 'named', name: choice['function']['name'] };
  }
  return { mode: 'auto' };
}

function toolsOf(tools: unknown): ToolSpec[] {
  if (!Array.isArray(tools)) return [];
  const specs: ToolSpec[] = [];
  for (const tool of tools) {
    if (isRecord(tool) && isRecord(tool['function']) && typeof tool['function']['name'] === 'string') {
      specs.push({ name: tool['function']['name'], parameters: tool['function']['parameters'] });
    }
  }
  return specs;
}

/**
 * Prompt words: the text of every message (string content or text parts) plus the arguments
 * of assistant tool calls. The reply echoes the last `user` or `tool` message.
 */
export function chatConversation(body: Record<string, unknown>): Conversation {
  const messages = body['messages'];
  if (!Array.isArray(messages) || messages.length === 0) throw badRequest("Invalid 'messages': expected a non-empty array.");
  let promptTokens = 0;
  let source = '';
  let sourceFound = false;
  for (let i = messages.length - 1; i >= 0; i--) {
    const message: unknown = messages[i];
    if (!isRecord(message) || typeof message['role'] !== 'string') throw badRequest(`Invalid 'messages[${i}]': expected an object with a role.`);
    promptTokens += wordsOfContent(message['content']);
    const calls = message['tool_calls'];
    if (Array.isArray(calls)) for (const call of calls) if (isRecord(call) && isRecord(call['function'])) promptTokens += wordsOfValue(call['function']['arguments']);
    if (!sourceFound && (message['role'] === 'user' || message['role'] === 'tool')) {
      source = textOf(message['content']);
      sourceFound = true;
    }
  }
  const last = messages[messages.length - 1] as Record<string, unknown>;
  return {
    promptTokens,
    source,
    userTurn: last['role'] === 'user',
    tools: toolsOf(body['tools']),
    toolChoice: toolChoiceOf(body['tool_choice']),
    maxTokens: maxTokensOf(body, 'max_completion_tokens', 'max_tokens'),
  };
}

const USAGE_TAIL = ',"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}}';

/** OpenAI's usage object as JSON, written from a template (this is on the benchmark's hot path). */
export function openAiUsageJson(usage: UsageCounts): string {
  return `{"prompt_tokens":${usage.prompt},"completion_tokens":${usage.completion},"total_tokens":${usage.prompt + usage.completion},"prompt_tokens_details":{"cached_tokens":${usage.cacheRead}${USAGE_TAIL}`;
}

function finishReason(plan: ReplyPlan): string {
  if (plan.kind === 'tools') return 'tool_calls';
  return plan.truncated ? 'length' : 'stop';
}

function includeUsage(x: Exchange): boolean {
  const options = x.body['stream_options'];
  return !x.controls.noUsage && isRecord(options) && options['include_usage'] === true;
}

/** `POST /v1/chat/completions`, streamed when `stream: true`. */
export function chatCompletions(x: Exchange): Answer {
  requireModel(x);
  requireSingleChoice(x.body);
  const conversation = chatConversation(x.body);
  const plan = planReply(conversation, x.controls);
  const usage = usageCounts(conversation.promptTokens, plan.completionTokens, x.controls);
  const id = `chatcmpl-mock${x.seq.toString(36)}`;
  if (x.body['stream'] === true) return chatStream(x, id, plan, usage);
  const message =
    plan.kind === 'text'
      ? `{"role":"assistant","content":${JSON.stringify(plan.text)},"refusal":null,"annotations":[]}`
      : JSON.stringify({
          role: 'assistant',
          content: null,
          tool_calls: plan.calls.map((call) => ({ id: `call_${call.id}`, type: 'function', function: { name: call.name, arguments: call.arguments } })),
          refusal: null,
          annotations: [],
        });
  const usagePart = x.controls.noUsage ? '' : `,"usage":${openAiUsageJson(usage)}`;
  return {
    kind: 'json',
    status: 200,
    body: `{"id":"${id}","object":"chat.completion","created":${x.created},"model":${JSON.stringify(x.model)},"choices":[{"index":0,"message":${message},"logprobs":null,"finish_reason":"${finishReason(plan)}"}]${usagePart},"service_tier":"default","system_fingerprint":"${FINGERPRINT}"}`,
  };
}

function chatStream(x: Exchange, id: string, plan: ReplyPlan, usage: UsageCounts): Answer {
  const withUsage = includeUsage(x);
  const head = `data: {"id":"${id}","object":"chat.completion.chunk","created":${x.created},"model":${JSON.stringify(x.model)},"service_tier":"default","system_fingerprint":"${FINGERPRINT}"`;
  const prefix = `${head},"choices":[{"index":0,"delta":`;
  const open = `,"logprobs":null,"finish_reason":null}]${withUsage ? ',"usage":null' : ''}}\n\n`;
  const frames: string[] = [];
  if (plan.kind === 'text') {
    frames.push(`${prefix}{"role":"assistant","content":"","refusal":null}${open}`);
    for (const piece of plan.pieces) frames.push(`${prefix}{"content":${JSON.stringify(piece)}}${open}`);
  } else {
    plan.calls.forEach((call, index) => {
      const start = JSON.stringify({ index, id: `call_${call.id}`, type: 'function', function: { name: call.name, arguments: '' } });
      const role = index === 0 ? '"role":"assistant","content":null,"refusal":null,' : '';
      frames.push(`${prefix}{${role}"tool_calls":[${start}]}${open}`);
      for (const delta of call.argumentDeltas) {
        frames.push(`${prefix}{"tool_calls":[{"index":${index},"function":{"arguments":${JSON.stringify(delta)}}}]}${open}`);
      }
    });
  }
  frames.push(`${prefix}{},"logprobs":null,"finish_reason":"${finishReason(plan)}"}]${withUsage ? ',"usage":null' : ''}}\n\n`);
  if (withUsage) {
    frames.push(`${head},"choices":[],"usage":${openAiUsageJson(usage)}}\n\n`);
  }
  frames.push(DONE);
  return { kind: 'stream', contentType: SSE, frames };
}

/** Legacy `POST /v1/completions`: the prompt (a string or an array of strings) stands in for the messages. */
export function completions(x: Exchange): Answer {
  requireModel(x);
  requireSingleChoice(x.body);
  const prompt = x.body['prompt'];
  const prompts = typeof prompt === 'string' ? [prompt] : Array.isArray(prompt) && prompt.every((p) => typeof p === 'string') ? (prompt as string[]) : undefined;
  if (!prompts || prompts.length === 0) throw badRequest("Invalid 'prompt': expected a string or an array of strings.");
  let promptTokens = 0;
  for (const text of prompts) promptTokens += countWords(text);
  const plan = textReply(prompts[prompts.length - 1], x.controls.tokens ?? DEFAULT_REPLY_TOKENS, maxTokensOf(x.body, 'max_tokens'), x.controls.chunks);
  const usage = usageCounts(promptTokens, plan.completionTokens, x.controls);
  const legacyUsage = { prompt_tokens: usage.prompt, completion_tokens: usage.completion, total_tokens: usage.prompt + usage.completion };
  const id = `cmpl-mock${x.seq.toString(36)}`;
  const finish = plan.truncated ? 'length' : 'stop';
  if (x.body['stream'] !== true) {
    return json({
      id,
      object: 'text_completion',
      created: x.created,
      model: x.model,
      choices: [{ text: plan.text, index: 0, logprobs: null, finish_reason: finish }],
      ...(x.controls.noUsage ? {} : { usage: legacyUsage }),
      system_fingerprint: FINGERPRINT,
    });
  }
  const withUsage = includeUsage(x);
  const head = `data: {"id":"${id}","object":"text_completion","created":${x.created},"model":${JSON.stringify(x.model)},"system_fingerprint":"${FINGERPRINT}"`;
  const frames = plan.pieces.map((piece) => `${head},"choices":[{"text":${JSON.stringify(piece)},"index":0,"logprobs":null,"finish_reason":null}]${withUsage ? ',"usage":null' : ''}}\n\n`);
  frames.push(`${head},"choices":[{"text":"","index":0,"logprobs":null,"finish_reason":"${finish}"}]${withUsage ? ',"usage":null' : ''}}\n\n`);
  if (withUsage) frames.push(`${head},"choices":[],"usage":${JSON.stringify(legacyUsage)}}\n\n`);
  frames.push(DONE);
  return { kind: 'stream', contentType: SSE, frames };
}

/** Default vector size by model name, as OpenAI's text-embedding-3-small / -large. */
function defaultDimensions(model: string): number {
  return model.includes('large') ? 3072 : 1536;
}

/** A unit vector drawn from a hash of the input: the same input and size always give the same vector. */
export function embeddingVector(input: string | readonly number[], dimensions: number): Float32Array {
  const seed = hash32(typeof input === 'string' ? input : input.join(','), 0x811c9dc5 ^ dimensions);
  const next = mulberry32(seed);
  const vector = new Float32Array(dimensions);
  let norm = 0;
  for (let i = 0; i < dimensions; i++) {
    const value = next() * 2 - 1;
    vector[i] = value;
    norm += value * value;
  }
  const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
  for (let i = 0; i < dimensions; i++) vector[i] *= scale;
  return vector;
}

function embeddingInputs(input: unknown): Array<string | number[]> {
  const isTokens = (value: unknown): value is number[] => Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === 'number');
  let items: Array<string | number[]> | undefined;
  if (typeof input === 'string') items = [input];
  else if (isTokens(input)) items = [input];
  else if (Array.isArray(input) && input.length > 0 && input.every((v) => typeof v === 'string' || isTokens(v))) items = input as Array<string | number[]>;
  if (!items || items.some((item) => item.length === 0)) {
    throw badRequest("'$.input' is invalid. Please check the API reference: https://platform.openai.com/docs/api-reference.");
  }
  return items;
}

/**
 * `POST /v1/embeddings`: `input` a string, strings, tokens or token arrays; `dimensions` honoured
 * (default 1536, 3072 for models named `*large*`); `encoding_format` float or base64. Prompt tokens
 * are words for strings and array length for token arrays.
 */
export function embeddings(x: Exchange): Answer {
  requireModel(x);
  const items = embeddingInputs(x.body['input']);
  const requested = x.body['dimensions'];
  if (requested !== undefined && (typeof requested !== 'number' || !Number.isInteger(requested) || requested < 1 || requested > 8192)) {
    throw badRequest("Invalid 'dimensions': expected an integer between 1 and 8192.");
  }
  const dimensions = typeof requested === 'number' ? requested : defaultDimensions(x.model);
  const format = x.body['encoding_format'] ?? 'float';
  if (format !== 'float' && format !== 'base64') throw badRequest("Invalid 'encoding_format': expected 'float' or 'base64'.");
  let promptTokens = 0;
  const data = items.map((item, index) => {
    promptTokens += typeof item === 'string' ? countWords(item) : item.length;
    const vector = embeddingVector(item, dimensions);
    const embedding = format === 'base64' ? Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength).toString('base64') : Array.from(vector);
    return { object: 'embedding', index, embedding };
  });
  return json({
    object: 'list',
    data,
    model: x.model,
    ...(x.controls.noUsage ? {} : { usage: { prompt_tokens: promptTokens, total_tokens: promptTokens } }),
  });
}
