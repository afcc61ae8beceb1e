import { anthropicAdapter } from './anthropic/anthropic.adapter.js';
import { geminiAdapter } from './gemini/gemini.adapter.js';
import { azureOpenAiAdapter, openAiCompatibleAdapter } from './openai/openai.adapter.js';
import type { ProviderAdapter } from './provider.js';

/**
 * The OpenAI-compatible family, as data: each speaks OpenAI's chat wire format at its own base
 * URL (the channel's baseUrl; these defaults are what the consoles suggest).
 */
export const OPENAI_COMPATIBLE: Readonly<Record<string, { name: string; defaultBaseUrl: string }>> = {
  openai: { name: 'OpenAI', defaultBaseUrl: 'https://api.openai.com/v1' },
  deepseek: { name: 'DeepSeek', defaultBaseUrl: 'https://api.deepseek.com/v1' },
  moonshot: { name: 'Moonshot / Kimi', defaultBaseUrl: 'https://api.moonshot.cn/v1' },
  zhipu: { name: 'Zhipu GLM', defaultBaseUrl: 'https://open.bigmodel.cn/api/paas/v4' },
  minimax: { name: 'MiniMax', defaultBaseUrl: 'https://api.minimax.chat/v1' },
  qwen: { name: 'Qwen / DashScope', defaultBaseUrl: 'https://dashscope.aliyuncs.com/compatible-mode/v1' },
  siliconflow: { name: 'SiliconFlow', defaultBaseUrl: 'https://api.siliconflow.cn/v1' },
  groq: { name: 'Groq', defaultBaseUrl: 'https://api.groq.com/openai/v1' },
  openrouter: { name: 'OpenRouter', defaultBaseUrl: 'https://openrouter.ai/api/v1' },
  ollama: { name: 'Ollama', defaultBaseUrl: 'http://127.0.0.1:11434/v1' },
  'one-api': { name: 'one-api / new-api', defaultBaseUrl: 'http://127.0.0.1:3000/v1' },
};

const ADAPTERS = new Map<string, ProviderAdapter>([
  ...Object.keys(OPENAI_COMPATIBLE).map((id) => [id, openAiCompatibleAdapter(id)] as const),
  ['azure', azureOpenAiAdapter],
  ['anthropic', anthropicAdapter],
  ['gemini', geminiAdapter],
]);

export function adapterFor(provider: string): ProviderAdapter | undefined {
  return ADAPTERS.get(provider);
}

export function relayableProviders(): string[] {
  return [...ADAPTERS.keys()];
}
