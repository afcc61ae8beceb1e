/**
 * Periodic jobs (DESIGN §9): BullMQ job schedulers when Redis is configured, so one replica runs
 * each tick for the whole installation; an in-process timer on a single node. Same contract:
 * a registered job runs about every `everyMs`, never overlapping itself within a process, and a
 * failing run is logged and retried at the next tick.
 */
export abstract class JobRunner {
  abstract every(name: string, everyMs: number, run: () => Promise<void>): Promise<void>;
  /** Stops scheduling; resolves once the runs in flight are over. */
  abstract close(): Promise<void>;

  async onApplicationShutdown(): Promise<void> {
    await this.close();
  }
}
