import { Redis } from 'ioredis';
import { describe, expect, inject, it } from 'vitest';
import type { RedisConnection } from '../redis/redis.provider.js';
import { type Invalidation, InvalidationBus } from './invalidation-bus.js';

const url = inject('redisUrl');

describe.skipIf(!url)('InvalidationBus across replicas (real Redis)', () => {
  it("delivers one replica's change to every other replica", async () => {
    const connections = [new Redis(url!), new Redis(url!)];
    const buses = connections.map((client) => new InvalidationBus({ client } as RedisConnection));
    await Promise.all(buses.map((b) => b.onModuleInit()));
    const received: Invalidation[] = [];
    buses[1]!.subscribe((e) => received.push(e));
    await buses[0]!.publish({ kind: 'prices', id: 'acc-1' });
    for (let i = 0; i < 50 && received.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(received).toContainEqual({ kind: 'prices', id: 'acc-1' });
    await Promise.all(buses.map((b) => b.onApplicationShutdown()));
    await Promise.all(connections.map((c) => c.quit()));
  });

  it("drops the publishing replica's own caches before publish returns", async () => {
    const connection = new Redis(url!);
    const bus = new InvalidationBus({ client: connection } as RedisConnection);
    await bus.onModuleInit();
    const received: Invalidation[] = [];
    bus.subscribe((e) => received.push(e));
    await bus.publish({ kind: 'channel', id: 'ch-1' });
    expect(received[0]).toEqual({ kind: 'channel', id: 'ch-1' });
    await bus.onApplicationShutdown();
    await connection.quit();
  });
});

describe('InvalidationBus on a single node', () => {
  it('delivers in-process', async () => {
    const bus = new InvalidationBus({ client: null } as RedisConnection);
    const received: Invalidation[] = [];
    const off = bus.subscribe((e) => received.push(e));
    await bus.publish({ kind: 'rules', id: 'x' });
    off();
    await bus.publish({ kind: 'rules', id: 'y' });
    expect(received).toEqual([{ kind: 'rules', id: 'x' }]);
  });
});
