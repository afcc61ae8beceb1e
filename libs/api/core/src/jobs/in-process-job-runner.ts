import { Logger } from '@nestjs/common';
import { JobRunner } from './job-runner.js';

/** The single-node job runner: one timer per job, a run never overlaps the previous one. */
export class InProcessJobRunner extends JobRunner {
  private readonly logger = new Logger('Jobs');
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly running = new Set<Promise<void>>();
  private closed = false;

  async every(name: string, everyMs: number, run: () => Promise<void>): Promise<void> {
    let busy = false;
    const timer = setInterval(() => {
      if (busy || this.closed) return;
      busy = true;
      const done = run()
        .catch((err: unknown) => this.logger.error(`${name}: ${err instanceof Error ? err.message : String(err)}`))
        .finally(() => {
          busy = false;
          this.running.delete(done);
        });
      this.running.add(done);
    }, everyMs);
    timer.unref();
    this.timers.add(timer);
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const timer of this.timers) clearInterval(timer);
    this.timers.clear();
    await Promise.all(this.running);
  }
}
