import type { SelectionStrategy } from '@tiergate/contracts';

/** What a strategy looks at: a channel or a key of one. */
export interface Candidate {
  id: string;
  weight: number;
  /** Creation time (ms); `oldest_first` prefers the smallest. */
  createdAt: number;
  /** Share of its quota left, 0..1; null = no quota (counts as everything left). */
  remaining?: number | null;
}

/**
 * What this replica remembers about past choices: a round-robin cursor per group, when each
 * candidate was last used and how often. Per replica on purpose — shared state would put a
 * Redis round trip on every request for a spreading decision that tolerates being approximate.
 */
export class SelectionMemory {
  private readonly cursors = new Map<string, number>();
  private readonly lastUsed = new Map<string, number>();
  private readonly uses = new Map<string, number>();
  private tick = 0;

  /** The request went to this candidate (channel or key id). */
  used(id: string): void {
    // A counter, not the clock: two picks in the same millisecond still have an order.
    this.lastUsed.set(id, ++this.tick);
    this.uses.set(id, (this.uses.get(id) ?? 0) + 1);
  }

  lastUsedOf(id: string): number {
    return this.lastUsed.get(id) ?? 0;
  }

  usesOf(id: string): number {
    return this.uses.get(id) ?? 0;
  }

  /** Next position of the round-robin over `group`, advancing it. */
  nextTurn(group: string): number {
    const turn = this.cursors.get(group) ?? 0;
    this.cursors.set(group, turn + 1);
    return turn;
  }
}

/**
 * Orders candidates for attempts: the first is tried first, the rest are the fallbacks in turn.
 * `weighted` draws by weight without replacement; `round_robin` rotates through them in a stable
 * order; `lru` puts the least recently used first; `least_used` the one used least often;
 * `most_remaining` the one with the largest share of quota left; `oldest_first` the oldest.
 * Ties are broken by weight (heavier first), then by the stable order.
 */
export function orderBy<T extends Candidate>(
  strategy: SelectionStrategy,
  items: readonly T[],
  group: string,
  memory: SelectionMemory,
  random: () => number = Math.random,
): T[] {
  if (items.length <= 1) return [...items];
  const stable = [...items].sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const heavierFirst = (a: T, b: T) => b.weight - a.weight;
  switch (strategy) {
    case 'round_robin': {
      const start = memory.nextTurn(group) % stable.length;
      return [...stable.slice(start), ...stable.slice(0, start)];
    }
    case 'lru':
      return stable.sort((a, b) => memory.lastUsedOf(a.id) - memory.lastUsedOf(b.id) || heavierFirst(a, b));
    case 'least_used':
      return stable.sort((a, b) => memory.usesOf(a.id) - memory.usesOf(b.id) || heavierFirst(a, b));
    case 'most_remaining':
      return stable.sort((a, b) => (b.remaining ?? 1) - (a.remaining ?? 1) || heavierFirst(a, b));
    case 'oldest_first':
      return stable;
    case 'weighted':
      return weightedShuffle(stable, random);
  }
}

/** Weighted draw without replacement: each next item is picked with probability ∝ its weight. */
function weightedShuffle<T extends Candidate>(items: T[], random: () => number): T[] {
  const pool = [...items];
  const out: T[] = [];
  while (pool.length > 0) {
    const total = pool.reduce((sum, t) => sum + Math.max(t.weight, 0), 0);
    let pick = 0;
    if (total > 0) {
      let r = random() * total;
      for (pick = 0; pick < pool.length - 1; pick++) {
        r -= Math.max(pool[pick]!.weight, 0);
        if (r < 0) break;
      }
    }
    out.push(pool.splice(pick, 1)[0]!);
  }
  return out;
}
