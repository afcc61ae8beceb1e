import { Logger } from '@nestjs/common';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { JobRunner } from './job-runner.js';

const QUEUE = 'periodic';

/**
 * Periodic jobs on BullMQ: each job is a job scheduler (upserted by every replica, stored once),
 * and the one worker that picks a tick runs it, so N replicas probe once per tick, not N times.
 * Keys live under the installation's hash tag, like every other key.
 */
export class BullMqJobRunner extends JobRunner {
  private readonly logger = new Logger('Jobs');
  private readonly handlers = new Map<string, () => Promise<void>>();
  private readonly connection: Redis;
  private readonly queue: Queue;
  private worker: Worker | null = null;

  constructor(redisUrl: string, private readonly prefix: string) {
    super();
    // BullMQ's blocking reads need retries without a cap (its documented requirement).
    this.connection = new Redis(redisUrl, { maxRetriesPerRequest: null });
    this.queue = new Queue(QUEUE, { connection: this.connection, prefix });
  }

  async every(name: string, everyMs: number, run: () => Promise<void>): Promise<void> {
    this.handlers.set(name, run);
    await this.queue.upsertJobScheduler(name, { every: everyMs }, { name, opts: { removeOnComplete: true, removeOnFail: 100 } });
    if (this.worker) return;
    this.worker = new Worker(
      QUEUE,
      async (job) => {
        const handler = this.handlers.get(job.name);
        if (handler) await handler();
      },
      { connection: this.connection, prefix: this.prefix, concurrency: 1 },
    );
    this.worker.on('failed', (job, err) => this.logger.error(`${job?.name ?? 'job'}: ${err.message}`));
  }

  async close(): Promise<void> {
    await this.worker?.close();
    await this.queue.close();
    await this.connection.quit().catch(() => undefined);
  }
}
