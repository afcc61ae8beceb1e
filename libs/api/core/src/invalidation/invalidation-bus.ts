import { Injectable, Logger, type OnApplicationShutdown, type OnModuleInit, Optional } from '@nestjs/common';
import { EventEmitter } from 'node:events';
import type { Redis } from 'ioredis';
import { AppConfig } from '../config/app-config.js';
import { RedisConnection, logConnectionErrors } from '../redis/redis.provider.js';

/** What changed: caches keyed by these drop their entries (chains, prices, rules, keys). */
export interface Invalidation {
  kind: 'account' | 'rules' | 'prices' | 'catalog' | 'api-key' | 'channel';
  /** The account (or key/channel) whose cached view is stale; omitted = everything of that kind. */
  id?: string;
}

/**
 * Tells every API replica that cached state changed. With Redis it is pub/sub, so another
 * replica's caches drop at once; on a single node a local emitter does the same in-process.
 */
@Injectable()
export class InvalidationBus implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Invalidation');
  private readonly local = new EventEmitter();
  private subscriber: Redis | null = null;

  private readonly channel: string;

  constructor(
    private readonly redis: RedisConnection,
    @Optional() config?: AppConfig,
  ) {
    this.local.setMaxListeners(100);
    this.channel = `${config?.redisPrefix ?? '{tg}'}:invalidate`;
  }

  async onModuleInit(): Promise<void> {
    if (!this.redis.client) return;
    this.subscriber = this.redis.client.duplicate();
    logConnectionErrors(this.subscriber, this.logger, 'invalidation subscriber');
    this.subscriber.on('message', (_channel: string, message: string) => {
      try {
        this.local.emit('invalidate', JSON.parse(message) as Invalidation);
      } catch (err) {
        this.logger.warn(`ignored a malformed invalidation: ${String(err)}`);
      }
    });
    await this.subscriber.subscribe(this.channel);
  }

  /**
   * This replica's caches drop before the call returns; the others when the message reaches them
   * (with Redis this replica hears its own message too: dropping a cache twice is harmless).
   * Otherwise a request arriving here between a change and the pub/sub round trip would still
   * see the old state, e.g. a channel health just disabled.
   */
  async publish(event: Invalidation): Promise<void> {
    this.local.emit('invalidate', event);
    if (this.redis.client) await this.redis.client.publish(this.channel, JSON.stringify(event));
  }

  /** Returns an unsubscribe function. */
  subscribe(handler: (event: Invalidation) => void): () => void {
    this.local.on('invalidate', handler);
    return () => this.local.off('invalidate', handler);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.subscriber?.quit().catch(() => undefined);
  }
}
