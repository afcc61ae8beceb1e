import { InvalidInputError } from '@tiergate/api-core';
import {
  argumentsObject,
  type ChatMessage,
  type ChatRequest,
  type ContentPart,
  isRecord,
  parseDataUrl,
  parseJson,
  textOfContent,
  type ToolCall,
  type ToolChoice,
  type ToolDefinition,
} from '../canonical.js';

type Part = Record<string, unknown>;
type Content = { role: 'user' | 'model'; parts: Part[] };

/** Gemini's REST API takes both camelCase and snake_case field names. */
function field(object: unknown, camel: string, snake: string): unknown {
  return isRecord(object) ? (object[camel] ?? object[snake]) : undefined;
}

const MIME_OF_EXTENSION: Record<string, string> = { png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg', webp: 'image/webp', gif: 'image/gif', heic: 'image/heic' };

function imagePart(url: string): Part {
  const data = parseDataUrl(url);
  if (data) return { inlineData: { mimeType: data.mediaType, data: data.data } };
  const ext = /\.([a-z0-9]+)(?:\?|#|$)/i.exec(url)?.[1]?.toLowerCase() ?? '';
  return { fileData: { mimeType: MIME_OF_EXTENSION[ext] ?? 'image/jpeg', fileUri: url } };
}

function partsOf(content: ChatMessage['content']): Part[] {
  if (typeof content === 'string') return content === '' ? [] : [{ text: content }];
  if (!Array.isArray(content)) return [];
  return content.map((p) => (p.type === 'text' ? { text: p.text } : imagePart(p.image_url.url)));
}

function responseObject(content: ChatMessage['content']): Record<string, unknown> {
  const text = textOfContent(content);
  const parsed = parseJson(text);
  // A plain-text result goes under `content`.
  return isRecord(parsed) ? parsed : { content: text };
}

function toolConfig(choice: ToolChoice | undefined): Record<string, unknown> | undefined {
  if (choice === undefined || choice === 'auto') return undefined;
  if (choice === 'none') return { functionCallingConfig: { mode: 'NONE' } };
  if (choice === 'required') return { functionCallingConfig: { mode: 'ANY' } };
  return { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: [choice.function.name] } };
}

/**
 * Canonical → Gemini generateContent. System/developer → systemInstruction; assistant → role
 * `model`; tool results → `functionResponse` parts in a user turn, named after the call they
 * answer; images → inlineData (base64) or fileData (URL).
 */
export function toGeminiRequest(req: ChatRequest): Record<string, unknown> {
  const system: string[] = [];
  const contents: Content[] = [];
  const nameOfCall = new Map<string, string>();
  const push = (role: Content['role'], parts: Part[]) => {
    if (parts.length === 0) return;
    const last = contents.at(-1);
    if (last && last.role === role) last.parts.push(...parts);
    else contents.push({ role, parts });
  };
  for (const m of req.messages) {
    if (m.role === 'system' || m.role === 'developer') system.push(textOfContent(m.content));
    else if (m.role === 'assistant') {
      const parts = partsOf(m.content);
      for (const call of m.tool_calls ?? []) {
        nameOfCall.set(call.id, call.function.name);
        parts.push({ functionCall: { id: call.id, name: call.function.name, args: argumentsObject(call.function.arguments) } });
      }
      push('model', parts);
    } else if (m.role === 'tool') {
      const id = m.tool_call_id ?? '';
      push('user', [{ functionResponse: { id, name: nameOfCall.get(id) ?? m.name ?? id, response: responseObject(m.content) } }]);
    } else push('user', partsOf(m.content));
  }
  const stop = typeof req.stop === 'string' ? [req.stop] : req.stop;
  const maxTokens = req.max_completion_tokens ?? req.max_tokens;
  const generationConfig = {
    ...(maxTokens !== undefined && { maxOutputTokens: maxTokens }),
    ...(req.temperature !== undefined && { temperature: req.temperature }),
    ...(req.top_p !== undefined && { topP: req.top_p }),
    ...(stop && stop.length > 0 && { stopSequences: stop }),
    ...(req.response_format?.type === 'json_object' && { responseMimeType: 'application/json' }),
  };
  const config = toolConfig(req.tool_choice);
  return {
    contents,
    ...(system.length > 0 && { systemInstruction: { parts: [{ text: system.join('\n\n') }] } }),
    ...(Object.keys(generationConfig).length > 0 && { generationConfig }),
    ...(req.tools &&
      req.tools.length > 0 && {
        tools: [
          {
            functionDeclarations: req.tools.map((t) => ({
              name: t.function.name,
              ...(t.function.description && { description: t.function.description }),
              ...(t.function.parameters && { parametersJsonSchema: t.function.parameters }),
            })),
          },
        ],
      }),
    ...(config && req.tools && req.tools.length > 0 && { toolConfig: config }),
  };
}

function bad(message: string): never {
  throw new InvalidInputError('invalid_request', message);
}

function simplify(parts: ContentPart[]): string | ContentPart[] {
  return parts.every((p) => p.type === 'text') ? parts.map((p) => (p.type === 'text' ? p.text : '')).join('') : parts;
}

/** Gemini generateContent (a client's body; the model is in the path) → canonical. */
export function fromGeminiRequest(body: Record<string, unknown>, model: string, stream: boolean): ChatRequest {
  const contents = body['contents'];
  if (!Array.isArray(contents) || contents.length === 0) bad('contents is not specified');
  const messages: ChatMessage[] = [];
  const systemText = ((field(field(body, 'systemInstruction', 'system_instruction'), 'parts', 'parts') as unknown[] | undefined) ?? [])
    .map((p) => (isRecord(p) && typeof p['text'] === 'string' ? p['text'] : ''))
    .join('');
  if (systemText !== '') messages.push({ role: 'system', content: systemText });
  const unanswered: ToolCall[] = [];
  let n = 0;
  contents.forEach((c, i) => {
    if (!isRecord(c)) bad(`contents[${i}]: must be an object`);
    const parts = Array.isArray(c['parts']) ? (c['parts'] as unknown[]) : bad(`contents[${i}].parts: must be an array`);
    const role = c['role'] === 'model' ? 'assistant' : 'user';
    const content: ContentPart[] = [];
    const calls: ToolCall[] = [];
    for (const p of parts) {
      if (!isRecord(p)) continue;
      const inline = field(p, 'inlineData', 'inline_data');
      const file = field(p, 'fileData', 'file_data');
      const call = field(p, 'functionCall', 'function_call');
      const response = field(p, 'functionResponse', 'function_response');
      if (typeof p['text'] === 'string' && p['thought'] !== true) content.push({ type: 'text', text: p['text'] });
      // Only images have a canonical form; audio, video and PDF parts are left out (docs/protocols.md).
      else if (isRecord(inline)) {
        const mime = String(field(inline, 'mimeType', 'mime_type'));
        if (mime.startsWith('image/')) content.push({ type: 'image_url', image_url: { url: `data:${mime};base64,${String(inline['data'])}` } });
      } else if (isRecord(file)) {
        const mime = field(file, 'mimeType', 'mime_type');
        if (typeof mime !== 'string' || mime.startsWith('image/')) content.push({ type: 'image_url', image_url: { url: String(field(file, 'fileUri', 'file_uri')) } });
      }
      else if (isRecord(call)) {
        const tc: ToolCall = { id: typeof call['id'] === 'string' ? call['id'] : `call_${n++}`, type: 'function', function: { name: String(call['name']), arguments: JSON.stringify(call['args'] ?? {}) } };
        calls.push(tc);
        unanswered.push(tc);
      } else if (isRecord(response)) {
        const name = String(response['name']);
        const at = unanswered.findIndex((tc) => (typeof response['id'] === 'string' ? tc.id === response['id'] : tc.function.name === name));
        const answered = at === -1 ? undefined : unanswered.splice(at, 1)[0];
        messages.push({ role: 'tool', tool_call_id: answered?.id ?? (typeof response['id'] === 'string' ? response['id'] : name), content: JSON.stringify(response['response'] ?? {}) });
      }
    }
    if (role === 'assistant') {
      const text = textOfContent(simplify(content));
      if (text !== '' || calls.length > 0) messages.push({ role, content: text === '' ? null : text, ...(calls.length > 0 && { tool_calls: calls }) });
    } else if (content.length > 0) messages.push({ role, content: simplify(content) });
  });
  const config = field(body, 'generationConfig', 'generation_config');
  const num = (camel: string, snake: string): number | undefined => {
    const v = field(config, camel, snake);
    return typeof v === 'number' ? v : undefined;
  };
  const maxTokens = num('maxOutputTokens', 'max_output_tokens');
  if (maxTokens !== undefined && (!Number.isSafeInteger(maxTokens) || maxTokens < 1)) bad('generationConfig.maxOutputTokens: must be a positive integer');
  const stop = field(config, 'stopSequences', 'stop_sequences');
  const tools: ToolDefinition[] = [];
  for (const t of Array.isArray(body['tools']) ? body['tools'] : []) {
    const declarations = field(t, 'functionDeclarations', 'function_declarations');
    for (const d of Array.isArray(declarations) ? declarations : []) {
      if (!isRecord(d) || typeof d['name'] !== 'string') continue;
      const parameters = d['parameters'] ?? field(d, 'parametersJsonSchema', 'parameters_json_schema');
      tools.push({ type: 'function', function: { name: d['name'], ...(typeof d['description'] === 'string' && { description: d['description'] }), ...(isRecord(parameters) && { parameters: lowerTypes(parameters) }) } });
    }
  }
  const calling = field(field(body, 'toolConfig', 'tool_config'), 'functionCallingConfig', 'function_calling_config');
  const mode = typeof field(calling, 'mode', 'mode') === 'string' ? String(field(calling, 'mode', 'mode')).toUpperCase() : 'AUTO';
  const allowed = field(calling, 'allowedFunctionNames', 'allowed_function_names');
  const toolChoice: ToolChoice | undefined =
    mode === 'NONE' ? 'none' : mode === 'ANY' ? (Array.isArray(allowed) && allowed.length === 1 ? { type: 'function', function: { name: String(allowed[0]) } } : 'required') : undefined;
  return {
    model,
    messages,
    ...(stream && { stream: true }),
    ...(maxTokens !== undefined && { max_tokens: maxTokens }),
    ...(num('temperature', 'temperature') !== undefined && { temperature: num('temperature', 'temperature') }),
    ...(num('topP', 'top_p') !== undefined && { top_p: num('topP', 'top_p') }),
    ...(Array.isArray(stop) && stop.length > 0 && { stop: stop.map(String) }),
    ...(field(config, 'responseMimeType', 'response_mime_type') === 'application/json' && { response_format: { type: 'json_object' } }),
    ...(tools.length > 0 && { tools, ...(toolChoice && { tool_choice: toolChoice }) }),
  };
}

/** Gemini's OpenAPI-style schemas name types in capitals (`OBJECT`); JSON Schema wants them lower-case. */
function lowerTypes(schema: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(schema)) {
    if (k === 'type' && typeof v === 'string') out[k] = v.toLowerCase();
    else if (k === 'properties' && isRecord(v)) out[k] = Object.fromEntries(Object.entries(v).map(([p, s]) => [p, isRecord(s) ? lowerTypes(s) : s]));
    else if (k === 'items' && isRecord(v)) out[k] = lowerTypes(v);
    else out[k] = v;
  }
  return out;
}
