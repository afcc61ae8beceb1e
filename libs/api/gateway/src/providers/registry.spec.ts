import 'reflect-metadata';
import { PROVIDER_IDS } from '@tiergate/contracts';
import { existsSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { adapterFor, relayableProviders } from './registry.js';

/** The kinds of recorded wire body every adapter folder must hold. */
const KINDS = [/request/, /response/, /stream/, /error/];

describe('provider registry', () => {
  it.each(PROVIDER_IDS)('%s has an adapter, and its protocol folder has request, response, stream and error fixtures', (id) => {
    const adapter = adapterFor(id);
    expect(adapter, `no adapter for ${id}`).toBeDefined();
    expect(adapter!.wire.protocol).toBe(adapter!.protocol);
    const dir = new URL(`./${adapter!.protocol}/__fixtures__/`, import.meta.url);
    expect(existsSync(dir)).toBe(true);
    const files = readdirSync(dir);
    for (const kind of KINDS) expect(files.some((f) => kind.test(f)), `${adapter!.protocol} fixtures lack ${kind}`).toBe(true);
  });

  it('relays exactly the providers a channel may be of', () => {
    expect(relayableProviders().sort()).toEqual([...PROVIDER_IDS].sort());
  });

  it('builds each protocol’s chat URL from a channel base URL', () => {
    expect(adapterFor('anthropic')!.chatUrl('https://api.anthropic.com/v1/', 'claude', true)).toBe('https://api.anthropic.com/v1/messages');
    expect(adapterFor('gemini')!.chatUrl('https://generativelanguage.googleapis.com/v1beta', 'gemini-2.5-flash', true)).toBe(
      'https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse',
    );
    expect(adapterFor('gemini')!.chatUrl('https://x/v1beta', 'a@b', false)).toBe('https://x/v1beta/models/a%40b:generateContent');
    expect(adapterFor('deepseek')!.chatUrl('https://api.deepseek.com/v1', 'deepseek-chat', false)).toBe('https://api.deepseek.com/v1/chat/completions');
  });
});
