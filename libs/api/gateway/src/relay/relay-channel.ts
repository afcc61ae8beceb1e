import type { SelectionStrategy } from '@tiergate/contracts';
import { SelectionMemory, orderBy } from './selection.js';

/** A channel as the relay sees it: enabled, with its usable keys decrypted. */
export interface RelayChannel {
  id: string;
  provider: string;
  baseUrl: string;
  priority: number;
  weight: number;
  costMultiplierBps: number;
  /** Public model name → upstream model name. */
  modelMapping: Record<string, string>;
  /** How a key is chosen inside the channel (default weighted). */
  strategy?: SelectionStrategy;
  /** Creation time in ms, for `oldest_first` (0 when unknown). */
  createdAt: number;
  keys: { id: string; key: string; weight: number; createdAt: number }[];
}

/** Where the relay gets the channels serving a model (the channels module implements it). */
export abstract class RelayChannelSource {
  abstract channelsFor(model: string): Promise<RelayChannel[]>;
  /** Every model some enabled channel serves. */
  abstract servedModels(): Promise<Set<string>>;
  /** An attempt failed before the first byte; health decides whether the key or channel stays in rotation. */
  abstract reportFailure(report: UpstreamFailureReport): Promise<void>;
}

/** One failed upstream attempt, as the relay reports it to health. */
export interface UpstreamFailureReport {
  channelId: string;
  keyId: string;
  /** What the failure says is broken: the key (auth, balance, its rate limit) or the channel (5xx, unreachable). */
  scope: 'key' | 'channel';
  /** Auth and balance errors take the key out at once; the rest count towards the window. */
  immediate: boolean;
  reason: string;
}

/**
 * Order of attempts: higher priority first; within a priority, channels by the installation's
 * channel strategy, and inside each channel its keys by the channel's own strategy (both
 * `weighted` by default). A failed attempt is followed by the next key, then the next channel.
 */
export function attemptOrder(
  channels: RelayChannel[],
  opts: { strategy?: SelectionStrategy; memory?: SelectionMemory; random?: () => number } = {},
): { channel: RelayChannel; key: RelayChannel['keys'][number] }[] {
  const memory = opts.memory ?? new SelectionMemory();
  const byPriority = new Map<number, RelayChannel[]>();
  for (const c of channels) if (c.keys.length > 0) byPriority.set(c.priority, [...(byPriority.get(c.priority) ?? []), c]);
  const attempts: { channel: RelayChannel; key: RelayChannel['keys'][number] }[] = [];
  for (const priority of [...byPriority.keys()].sort((a, b) => b - a)) {
    const group = byPriority.get(priority)!;
    const groupId = `p${priority}:${group.map((c) => c.id).join(',')}`;
    for (const channel of orderBy(opts.strategy ?? 'weighted', group, groupId, memory, opts.random)) {
      for (const key of orderBy(channel.strategy ?? 'weighted', channel.keys, `c:${channel.id}`, memory, opts.random)) attempts.push({ channel, key });
    }
  }
  return attempts;
}
