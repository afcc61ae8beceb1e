import { InvalidInputError } from '@tiergate/api-core';
import {
  argumentsObject,
  type ChatMessage,
  type ChatRequest,
  type ContentPart,
  isRecord,
  parseDataUrl,
  textOfContent,
  type ToolCall,
  type ToolChoice,
  type ToolDefinition,
} from '../canonical.js';

/** Anthropic requires max_tokens; this is what a converted request without one gets. */
export const ANTHROPIC_DEFAULT_MAX_TOKENS = 4096;

type Block = Record<string, unknown>;

function imageBlock(url: string): Block {
  const data = parseDataUrl(url);
  return data
    ? { type: 'image', source: { type: 'base64', media_type: data.mediaType, data: data.data } }
    : { type: 'image', source: { type: 'url', url } };
}

function blocksOf(content: ChatMessage['content']): Block[] {
  if (typeof content === 'string') return content === '' ? [] : [{ type: 'text', text: content }];
  if (!Array.isArray(content)) return [];
  return content.map((p) => (p.type === 'text' ? { type: 'text', text: p.text } : imageBlock(p.image_url.url)));
}

function toolChoiceToAnthropic(choice: ToolChoice | undefined, parallel: boolean | undefined): Block | undefined {
  const disable = parallel === false ? { disable_parallel_tool_use: true } : {};
  if (choice === undefined) return parallel === false ? { type: 'auto', ...disable } : undefined;
  if (choice === 'none') return { type: 'none' };
  if (choice === 'auto') return { type: 'auto', ...disable };
  if (choice === 'required') return { type: 'any', ...disable };
  return { type: 'tool', name: choice.function.name, ...disable };
}

/**
 * Canonical → Anthropic Messages. System and developer messages become `system`; tool results
 * become `tool_result` blocks in a user turn (consecutive ones merged, as Anthropic wants them
 * right after the `tool_use` turn); images become base64 or URL image blocks.
 */
export function toAnthropicRequest(req: ChatRequest, model: string, stream: boolean): Record<string, unknown> {
  const system: string[] = [];
  const messages: { role: 'user' | 'assistant'; content: Block[] }[] = [];
  const push = (role: 'user' | 'assistant', blocks: Block[]) => {
    const last = messages.at(-1);
    if (last && last.role === role) last.content.push(...blocks);
    else messages.push({ role, content: blocks });
  };
  for (const m of req.messages) {
    if (m.role === 'system' || m.role === 'developer') {
      system.push(textOfContent(m.content));
    } else if (m.role === 'tool') {
      push('user', [{ type: 'tool_result', tool_use_id: m.tool_call_id ?? '', content: typeof m.content === 'string' ? m.content : blocksOf(m.content) }]);
    } else if (m.role === 'assistant') {
      const blocks = blocksOf(m.content);
      for (const call of m.tool_calls ?? []) blocks.push({ type: 'tool_use', id: call.id, name: call.function.name, input: argumentsObject(call.function.arguments) });
      push('assistant', blocks);
    } else {
      push('user', blocksOf(m.content));
    }
  }
  const stop = typeof req.stop === 'string' ? [req.stop] : req.stop;
  const toolChoice = toolChoiceToAnthropic(req.tool_choice, req.parallel_tool_calls);
  return {
    model,
    max_tokens: req.max_completion_tokens ?? req.max_tokens ?? ANTHROPIC_DEFAULT_MAX_TOKENS,
    ...(system.length > 0 && { system: system.join('\n\n') }),
    messages,
    ...(req.temperature !== undefined && { temperature: Math.min(req.temperature, 1) }),
    ...(req.top_p !== undefined && { top_p: req.top_p }),
    ...(stop && stop.length > 0 && { stop_sequences: stop }),
    ...(req.tools &&
      req.tools.length > 0 && {
        tools: req.tools.map((t) => ({ name: t.function.name, ...(t.function.description && { description: t.function.description }), input_schema: t.function.parameters ?? { type: 'object', properties: {} } })),
      }),
    ...(toolChoice && req.tools && req.tools.length > 0 && { tool_choice: toolChoice }),
    ...(req.user && { metadata: { user_id: req.user } }),
    ...(stream && { stream: true }),
  };
}

function bad(message: string): never {
  throw new InvalidInputError('invalid_request', message);
}

function partsOf(content: unknown, where: string): ContentPart[] {
  if (typeof content === 'string') return [{ type: 'text', text: content }];
  if (!Array.isArray(content)) bad(`${where}: content must be a string or an array of blocks`);
  const parts: ContentPart[] = [];
  for (const block of content) {
    if (!isRecord(block)) bad(`${where}: every content block must be an object`);
    if (block['type'] === 'text' && typeof block['text'] === 'string') parts.push({ type: 'text', text: block['text'] });
    else if (block['type'] === 'image' && isRecord(block['source'])) {
      const source = block['source'];
      if (source['type'] === 'base64') parts.push({ type: 'image_url', image_url: { url: `data:${String(source['media_type'])};base64,${String(source['data'])}` } });
      else if (source['type'] === 'url' && typeof source['url'] === 'string') parts.push({ type: 'image_url', image_url: { url: source['url'] } });
    }
    // thinking, documents, search results and server tool blocks have no canonical form (docs/protocols.md).
  }
  return parts;
}

function simplify(parts: ContentPart[]): string | ContentPart[] {
  return parts.every((p) => p.type === 'text') ? parts.map((p) => (p.type === 'text' ? p.text : '')).join('') : parts;
}

function toolChoiceFromAnthropic(choice: unknown): { tool_choice?: ToolChoice; parallel_tool_calls?: boolean } {
  if (!isRecord(choice)) return {};
  const parallel = choice['disable_parallel_tool_use'] === true ? { parallel_tool_calls: false } : {};
  switch (choice['type']) {
    case 'none':
      return { tool_choice: 'none' };
    case 'any':
      return { tool_choice: 'required', ...parallel };
    case 'tool':
      return { tool_choice: { type: 'function', function: { name: String(choice['name']) } }, ...parallel };
    default:
      return { tool_choice: 'auto', ...parallel };
  }
}

/** Anthropic Messages (a client's body) → canonical. Validates what the relay relies on. */
export function fromAnthropicRequest(body: Record<string, unknown>): ChatRequest {
  if (typeof body['model'] !== 'string' || body['model'] === '') bad('model: Field required');
  const maxTokens = body['max_tokens'];
  if (!Number.isSafeInteger(maxTokens) || (maxTokens as number) < 1) bad('max_tokens: must be a positive integer');
  if (!Array.isArray(body['messages']) || body['messages'].length === 0) bad('messages: at least one message is required');
  if (body['stream'] !== undefined && typeof body['stream'] !== 'boolean') bad('stream: must be a boolean');
  const messages: ChatMessage[] = [];
  const system = body['system'];
  if (system !== undefined) {
    const text = textOfContent(simplify(partsOf(system, 'system')));
    if (text !== '') messages.push({ role: 'system', content: text });
  }
  (body['messages'] as unknown[]).forEach((m, i) => {
    if (!isRecord(m) || (m['role'] !== 'user' && m['role'] !== 'assistant')) bad(`messages.${i}.role: must be 'user' or 'assistant'`);
    const content = m['content'];
    if (m['role'] === 'assistant') {
      const calls: ToolCall[] = [];
      let reasoning = '';
      if (Array.isArray(content)) {
        for (const block of content) {
          if (isRecord(block) && block['type'] === 'tool_use') {
            calls.push({ id: String(block['id']), type: 'function', function: { name: String(block['name']), arguments: JSON.stringify(block['input'] ?? {}) } });
          } else if (isRecord(block) && block['type'] === 'thinking' && typeof block['thinking'] === 'string') reasoning += block['thinking'];
        }
      }
      const text = textOfContent(simplify(partsOf(content, `messages.${i}`)));
      messages.push({ role: 'assistant', content: text === '' && calls.length > 0 ? null : text, ...(calls.length > 0 && { tool_calls: calls }), ...(reasoning && { reasoning_content: reasoning }) });
      return;
    }
    // A user turn: tool results first (each its own tool message), then the rest of the content.
    if (Array.isArray(content)) {
      for (const block of content) {
        if (isRecord(block) && block['type'] === 'tool_result') {
          const inner = block['content'] === undefined ? '' : simplify(partsOf(block['content'], `messages.${i}.tool_result`));
          const text = typeof inner === 'string' ? inner : textOfContent(inner);
          messages.push({ role: 'tool', tool_call_id: String(block['tool_use_id']), content: block['is_error'] === true ? `Error: ${text}` : text });
        }
      }
      const rest = partsOf(content.filter((b) => !(isRecord(b) && b['type'] === 'tool_result')), `messages.${i}`);
      if (rest.length > 0) messages.push({ role: 'user', content: simplify(rest) });
    } else {
      messages.push({ role: 'user', content: simplify(partsOf(content, `messages.${i}`)) });
    }
  });
  const tools: ToolDefinition[] = [];
  if (Array.isArray(body['tools'])) {
    for (const t of body['tools']) {
      // Server tools (web search, code execution…) have a `type` and no schema: only Anthropic runs them.
      if (!isRecord(t) || typeof t['name'] !== 'string' || !isRecord(t['input_schema'])) continue;
      tools.push({ type: 'function', function: { name: t['name'], ...(typeof t['description'] === 'string' && { description: t['description'] }), parameters: t['input_schema'] } });
    }
  }
  const stop = body['stop_sequences'];
  const metadata = body['metadata'];
  return {
    model: body['model'] as string,
    messages,
    max_tokens: maxTokens as number,
    ...(body['stream'] === true && { stream: true }),
    ...(typeof body['temperature'] === 'number' && { temperature: body['temperature'] }),
    ...(typeof body['top_p'] === 'number' && { top_p: body['top_p'] }),
    ...(Array.isArray(stop) && stop.length > 0 && { stop: stop.map(String) }),
    ...(tools.length > 0 && { tools, ...toolChoiceFromAnthropic(body['tool_choice']) }),
    ...(isRecord(metadata) && typeof metadata['user_id'] === 'string' && { user: metadata['user_id'] }),
  };
}
