import type { Channel, ChannelEvent, ChannelKey } from '@tiergate/api-db';
import type { ChannelEventView, ChannelKeyView, ChannelView, ProviderId, SelectionStrategy } from '@tiergate/contracts';
import { maskKey } from './key-mask.js';

export type ChannelWithKeys = Channel & { keys: ChannelKey[] };

/** A key as the API shows it: masked; the cipher text never leaves the repository. */
export function channelKeyView(k: ChannelKey): ChannelKeyView {
  return { id: k.id, masked: maskKey(k), status: k.status, weight: k.weight, createdAt: k.createdAt.toISOString() };
}

export function channelView(c: ChannelWithKeys): ChannelView {
  return {
    id: c.id,
    name: c.name,
    provider: c.provider as ProviderId,
    baseUrl: c.baseUrl,
    models: c.models,
    modelMapping: (c.modelMapping ?? {}) as Record<string, string>,
    priority: c.priority,
    weight: c.weight,
    tags: c.tags,
    costMultiplierBps: c.costMultiplierBps,
    status: c.status,
    strategy: c.strategy as SelectionStrategy,
    keys: c.keys.map(channelKeyView),
    createdAt: c.createdAt.toISOString(),
    updatedAt: c.updatedAt.toISOString(),
  };
}

export function channelEventView(e: ChannelEvent): ChannelEventView {
  return {
    id: e.id.toString(),
    channelId: e.channelId,
    keyId: e.keyId,
    from: e.from,
    to: e.to,
    reason: e.reason,
    createdAt: e.createdAt.toISOString(),
  };
}
