import { describe, expect, it } from 'vitest';
import { type RelayChannel, attemptOrder } from './relay-channel.js';
import { SelectionMemory } from './selection.js';

const channel = (id: string, priority: number, weight: number, keys = 1): RelayChannel => ({
  id,
  provider: 'openai',
  baseUrl: 'http://x',
  priority,
  weight,
  costMultiplierBps: 10000,
  modelMapping: {},
  createdAt: 0,
  keys: Array.from({ length: keys }, (_, i) => ({ id: `${id}-k${i}`, key: 'k', weight: 1, createdAt: i })),
});

describe('attemptOrder', () => {
  it('tries higher priority first, then the rest, every key once', () => {
    const order = attemptOrder([channel('low', 0, 1, 2), channel('high', 10, 1), channel('none', 5, 1, 0)]);
    expect(order.map((a) => a.key.id)).toEqual(['high-k0', expect.stringMatching(/^low-k/), expect.stringMatching(/^low-k/)]);
  });

  it('spreads first attempts by weight within a priority', () => {
    let seed = 42;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const firsts = { a: 0, b: 0 };
    for (let i = 0; i < 4000; i++) firsts[attemptOrder([channel('a', 0, 3), channel('b', 0, 1)], { random })[0]!.channel.id as 'a' | 'b']++;
    expect(firsts.a / 4000).toBeGreaterThan(0.7);
    expect(firsts.a / 4000).toBeLessThan(0.8);
  });

  it('orders channels by the given strategy and keys by their channel’s', () => {
    const memory = new SelectionMemory();
    const a = { ...channel('a', 0, 1, 2), strategy: 'round_robin' as const };
    const b = { ...channel('b', 0, 1, 2), createdAt: 5 };
    const firstKeys = [0, 1, 2].map(() => attemptOrder([a], { memory })[0]!.key.id);
    expect(firstKeys).toEqual(['a-k0', 'a-k1', 'a-k0']);
    expect(attemptOrder([b, a], { strategy: 'oldest_first', memory }).map((x) => x.channel.id)).toEqual(['a', 'a', 'b', 'b']);
  });
});
