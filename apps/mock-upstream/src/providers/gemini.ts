import { badRequest } from '../errors.js';
import type { Exchange } from '../exchange.js';
import { json, JSON_TYPE, SSE, type Answer } from '../http-io.js';
import { GEMINI_MODELS } from '../models.js';
import { isRecord, planReply, usageCounts, wordsOfValue, type Conversation, type ReplyPlan, type ToolChoice, type ToolSpec, type UsageCounts } from '../reply.js';
import { countWords } from '../words.js';

function modelInfo(id: string): Record<string, unknown> {
  return {
    name: `models/${id}`,
    version: '001',
    displayName: id,
    description: 'Tiergate mock Gemini model',
    inputTokenLimit: 1_048_576,
    outputTokenLimit: 8192,
    supportedGenerationMethods: ['generateContent', 'countTokens'],
    temperature: 1,
    topP: 0.95,
    topK: 64,
  };
}

const MODEL_LIST = JSON.stringify({ models: GEMINI_MODELS.map(modelInfo) });
const ALT_SSE = /(?:^|&)alt=sse(?:&|$)/;

/** `GET /v1beta/models` (a pre-built body). */
export function listModels(): Answer {
  return { kind: 'json', status: 200, body: MODEL_LIST };
}

/** `GET /v1beta/models/{model}`: any model exists. */
export function getModel(id: string): Answer {
  return json(modelInfo(id));
}

/** Gemini's REST API takes both camelCase and snake_case field names. */
function field(object: unknown, camel: string, snake: string): unknown {
  if (!isRecord(object)) return undefined;
  return object[camel] ?? object[snake];
}

function wordsOfPart(part: unknown): number {
  if (!isRecord(part)) return 0;
  if (typeof part['text'] === 'string') return countWords(part['text']);
  const call = field(part, 'functionCall', 'function_call');
  if (isRecord(call)) return wordsOfValue(call['args']);
  const response = field(part, 'functionResponse', 'function_response');
  if (isRecord(response)) return wordsOfValue(response['response']);
  return 0;
}

function partsOf(content: unknown): unknown[] {
  const parts = isRecord(content) ? content['parts'] : undefined;
  return Array.isArray(parts) ? parts : [];
}

function toolsOf(tools: unknown): ToolSpec[] {
  if (!Array.isArray(tools)) return [];
  const specs: ToolSpec[] = [];
  for (const tool of tools) {
    const declarations = field(tool, 'functionDeclarations', 'function_declarations');
    if (!Array.isArray(declarations)) continue;
    for (const declaration of declarations) {
      if (isRecord(declaration) && typeof declaration['name'] === 'string') {
        specs.push({ name: declaration['name'], parameters: declaration['parameters'] ?? field(declaration, 'parametersJsonSchema', 'parameters_json_schema') });
      }
    }
  }
  return specs;
}

function toolChoiceOf(body: Record<string, unknown>): ToolChoice {
  const config = field(field(body, 'toolConfig', 'tool_config'), 'functionCallingConfig', 'function_calling_config');
  const mode = isRecord(config) && typeof config['mode'] === 'string' ? config['mode'].toUpperCase() : 'AUTO';
  if (mode === 'NONE') return { mode: 'none' };
  if (mode === 'ANY') {
    const allowed = field(config, 'allowedFunctionNames', 'allowed_function_names');
    if (Array.isArray(allowed) && allowed.length === 1 && typeof allowed[0] === 'string') return { mode: 'named', name: allowed[0] };
    return { mode: 'required' };
  }
  return { mode: 'auto' };
}

/**
 * Prompt words: the system instruction plus every part's text, functionCall args and
 * functionResponse payloads (as JSON). The reply echoes the last user content's text parts.
 */
export function geminiConversation(body: Record<string, unknown>): Conversation {
  const contents = body['contents'];
  if (!Array.isArray(contents) || contents.length === 0) throw badRequest('* GenerateContentRequest.contents: contents is not specified');
  let promptTokens = 0;
  for (const part of partsOf(field(body, 'systemInstruction', 'system_instruction'))) promptTokens += wordsOfPart(part);
  let source: string | undefined;
  let lastHasResponse = false;
  for (let i = contents.length - 1; i >= 0; i--) {
    const content: unknown = contents[i];
    if (!isRecord(content)) throw badRequest(`* GenerateContentRequest.contents[${i}]: must be an object`);
    const parts = partsOf(content);
    for (const part of parts) promptTokens += wordsOfPart(part);
    const isUser = content['role'] === undefined || content['role'] === 'user';
    if (source === undefined && isUser) {
      const texts: string[] = [];
      for (const part of parts) {
        if (isRecord(part) && typeof part['text'] === 'string') texts.push(part['text']);
        else if (field(part, 'functionResponse', 'function_response') !== undefined) {
          lastHasResponse = i === contents.length - 1;
          texts.push(JSON.stringify((field(part, 'functionResponse', 'function_response') as Record<string, unknown>)['response'] ?? null));
        }
      }
      source = texts.join(' ');
    }
  }
  const last = contents[contents.length - 1] as Record<string, unknown>;
  const maxTokens = field(field(body, 'generationConfig', 'generation_config'), 'maxOutputTokens', 'max_output_tokens');
  if (maxTokens !== undefined && (typeof maxTokens !== 'number' || !Number.isInteger(maxTokens) || maxTokens < 1)) {
    throw badRequest('* GenerateContentRequest.generation_config.max_output_tokens: must be a positive integer');
  }
  return {
    promptTokens,
    source: source ?? '',
    userTurn: (last['role'] === undefined || last['role'] === 'user') && !lastHasResponse,
    tools: toolsOf(body['tools']),
    toolChoice: toolChoiceOf(body),
    maxTokens: maxTokens as number | undefined,
  };
}

function usageMetadata(usage: UsageCounts): Record<string, unknown> {
  return {
    promptTokenCount: usage.prompt,
    candidatesTokenCount: usage.completion,
    totalTokenCount: usage.prompt + usage.completion,
    ...(usage.cacheRead > 0 ? { cachedContentTokenCount: usage.cacheRead } : {}),
    promptTokensDetails: [{ modality: 'TEXT', tokenCount: usage.prompt }],
    ...(usage.cacheRead > 0 ? { cacheTokensDetails: [{ modality: 'TEXT', tokenCount: usage.cacheRead }] } : {}),
  };
}

function finishReason(plan: ReplyPlan): string {
  return plan.kind === 'text' && plan.truncated ? 'MAX_TOKENS' : 'STOP';
}

function partsFor(plan: ReplyPlan): unknown[] {
  if (plan.kind === 'text') return [{ text: plan.text }];
  return plan.calls.map((call) => ({ functionCall: { name: call.name, args: call.input } }));
}

/** `POST /v1beta/models/{model}:generateContent`. `cachedContentTokenCount` appears only when non-zero, as Gemini does. */
export function generateContent(x: Exchange): Answer {
  const conversation = geminiConversation(x.body);
  const plan = planReply(conversation, x.controls);
  const usage = usageCounts(conversation.promptTokens, plan.completionTokens, x.controls);
  return json({
    candidates: [{ content: { parts: partsFor(plan), role: 'model' }, finishReason: finishReason(plan), index: 0 }],
    ...(x.controls.noUsage ? {} : { usageMetadata: usageMetadata(usage) }),
    modelVersion: x.model,
    responseId: `mock${x.seq.toString(36)}`,
  });
}

/**
 * `POST /v1beta/models/{model}:streamGenerateContent`: SSE (`data: …\r\n\r\n`) with `?alt=sse`,
 * otherwise a streamed JSON array. Text comes one piece per chunk, each chunk carrying the
 * prompt count and the last one the full usage and finish reason; function calls come whole
 * in one chunk (Gemini does not stream arguments).
 */
export function streamGenerateContent(x: Exchange): Answer {
  const conversation = geminiConversation(x.body);
  const plan = planReply(conversation, x.controls);
  const usage = usageCounts(conversation.promptTokens, plan.completionTokens, x.controls);
  const noUsage = x.controls.noUsage === true;
  const tail = `,"modelVersion":${JSON.stringify(x.model)},"responseId":"mock${x.seq.toString(36)}"}`;
  const partial = noUsage ? '' : `,"usageMetadata":{"promptTokenCount":${usage.prompt},"totalTokenCount":${usage.prompt}}`;
  const final = noUsage ? '' : `,"usageMetadata":${JSON.stringify(usageMetadata(usage))}`;
  const chunk = (parts: string, last: boolean): string =>
    `{"candidates":[{"content":{"parts":${parts},"role":"model"}${last ? `,"finishReason":"${finishReason(plan)}"` : ''},"index":0}]${last ? final : partial}${tail}`;
  const chunks: string[] = [];
  if (plan.kind === 'text' && plan.pieces.length > 0) {
    plan.pieces.forEach((piece, i) => chunks.push(chunk(`[{"text":${JSON.stringify(piece)}}]`, i === plan.pieces.length - 1)));
  } else {
    chunks.push(chunk(JSON.stringify(partsFor(plan)), true));
  }
  if (ALT_SSE.test(x.query)) {
    return { kind: 'stream', contentType: SSE, frames: chunks.map((body) => `data: ${body}\r\n\r\n`) };
  }
  const frames = chunks.map((body, i) => (i === 0 ? `[${body}` : `,\r\n${body}`));
  frames[frames.length - 1] += ']';
  return { kind: 'stream', contentType: JSON_TYPE, frames };
}

/** `POST /v1beta/models/{model}:countTokens` with `contents` or a whole `generateContentRequest`. */
export function countTokens(x: Exchange): Answer {
  const request = field(x.body, 'generateContentRequest', 'generate_content_request');
  const promptTokens = geminiConversation(isRecord(request) ? request : x.body).promptTokens;
  return json({ totalTokens: promptTokens, promptTokensDetails: [{ modality: 'TEXT', tokenCount: promptTokens }] });
}
