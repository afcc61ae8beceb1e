import { describe, expect, it } from 'vitest';
import { type Candidate, SelectionMemory, orderBy } from './selection.js';

const c = (id: string, weight = 1, createdAt = 0, remaining?: number | null): Candidate => ({ id, weight, createdAt, remaining });
const ids = (items: Candidate[]) => items.map((i) => i.id);

describe('selection strategies', () => {
  const three = [c('b', 1, 2), c('a', 1, 1), c('c', 1, 3)];

  it('round_robin rotates through the candidates in a stable order, per group', () => {
    const memory = new SelectionMemory();
    expect([0, 1, 2, 3].map(() => orderBy('round_robin', three, 'g', memory)[0]!.id)).toEqual(['a', 'b', 'c', 'a']);
    expect(ids(orderBy('round_robin', three, 'g', memory))).toEqual(['b', 'c', 'a']);
    expect(orderBy('round_robin', three, 'other', memory)[0]!.id).toBe('a');
  });

  it('lru puts the least recently used first, never-used before used', () => {
    const memory = new SelectionMemory();
    memory.used('a');
    memory.used('b');
    expect(ids(orderBy('lru', three, 'g', memory))).toEqual(['c', 'a', 'b']);
    memory.used('c');
    memory.used('a');
    expect(ids(orderBy('lru', three, 'g', memory))).toEqual(['b', 'c', 'a']);
  });

  it('least_used puts the one used least often first, heavier first on a tie', () => {
    const memory = new SelectionMemory();
    for (const id of ['a', 'a', 'b', 'c', 'c', 'c']) memory.used(id);
    expect(ids(orderBy('least_used', three, 'g', memory))).toEqual(['b', 'a', 'c']);
    expect(ids(orderBy('least_used', [c('x', 1, 1), c('y', 5, 2)], 'g', new SelectionMemory()))).toEqual(['y', 'x']);
  });

  it('most_remaining prefers the largest share left; no quota counts as all left', () => {
    const items = [c('half', 1, 1, 0.5), c('none', 1, 2, null), c('low', 1, 3, 0.1)];
    expect(ids(orderBy('most_remaining', items, 'g', new SelectionMemory()))).toEqual(['none', 'half', 'low']);
  });

  it('oldest_first orders by creation time', () => {
    expect(ids(orderBy('oldest_first', three, 'g', new SelectionMemory()))).toEqual(['a', 'b', 'c']);
  });

  it('weighted draws by weight without replacement, every candidate once', () => {
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const firsts: Record<string, number> = { heavy: 0, light: 0 };
    for (let i = 0; i < 4000; i++) {
      const order = orderBy('weighted', [c('heavy', 4), c('light', 1)], 'g', new SelectionMemory(), random);
      expect(ids(order).sort()).toEqual(['heavy', 'light']);
      firsts[order[0]!.id]!++;
    }
    expect(firsts.heavy! / 4000).toBeGreaterThan(0.75);
    expect(firsts.heavy! / 4000).toBeLessThan(0.85);
  });
});
