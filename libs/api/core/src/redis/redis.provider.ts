import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { Redis } from 'ioredis';
import { AppConfig } from '../config/app-config.js';

/** The installation's Redis connection, or null on a single node (REDIS_URL unset). */
@Injectable()
export class RedisConnection implements OnApplicationShutdown {
  readonly client: Redis | null;

  constructor(@Inject(AppConfig) config: AppConfig) {
    this.client = config.redisUrl ? new Redis(config.redisUrl, { maxRetriesPerRequest: 2, enableAutoPipelining: true }) : null;
    if (this.client) logConnectionErrors(this.client, new Logger('Redis'), 'connection');
  }

  async onApplicationShutdown(): Promise<void> {
    await this.client?.quit().catch(() => undefined);
  }
}

/**
 * Sends a connection's errors to the app's log instead of ioredis's "Unhandled error event" on
 * stderr: once per distinct error while it is down (it retries every few seconds), and once when
 * it is back. Commands sent meanwhile fail on their own.
 */
export function logConnectionErrors(client: Redis, logger: Pick<Logger, 'warn' | 'log'>, what: string): void {
  let last: string | null = null;
  client.on('error', (err: Error) => {
    if (err.message === last) return;
    last = err.message;
    logger.warn(`${what}: ${err.message}`);
  });
  client.on('ready', () => {
    if (last === null) return;
    last = null;
    logger.log(`${what}: connected again`);
  });
}
