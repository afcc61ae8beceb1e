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
  keys: { id: string; key: string; weight: number }[];
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
 * Order of attempts: higher priority first; within a priority, weighted random (the default
 * strategy), so load spreads by weight and a failed channel is followed by the next.
 */
export function attemptOrder(channels: RelayChannel[], random: () => number = Math.random): { channel: RelayChannel; key: RelayChannel['keys'][number] }[] {
  const byPriority = new Map<number, RelayChannel[]>();
  for (const c of channels) if (c.keys.length > 0) byPriority.set(c.priority, [...(byPriority.get(c.priority) ?? []), c]);
  const attempts: { channel: RelayChannel; key: RelayChannel['keys'][number] }[] = [];
  for (const priority of [...byPriority.keys()].sort((a, b) => b - a)) {
    for (const channel of weightedShuffle(byPriority.get(priority)!, (c) => c.weight, random)) {
      for (const key of weightedShuffle(channel.keys, (k) => k.weight, random)) attempts.push({ channel, key });
    }
  }
  return attempts;
}

function weightedShuffle<T>(items: T[], weightOf: (t: T) => number, random: () => number): T[] {
  const pool = [...items];
  const out: T[] = [];
  while (pool.length > 0) {
    const total = pool.reduce((sum, t) => sum + Math.max(weightOf(t), 0), 0);
    let pick = 0;
    if (total > 0) {
      let r = random() * total;
      for (pick = 0; pick < pool.length - 1; pick++) {
        r -= Math.max(weightOf(pool[pick]!), 0);
        if (r < 0) break;
      }
    }
    out.push(pool.splice(pick, 1)[0]!);
  }
  return out;
}
