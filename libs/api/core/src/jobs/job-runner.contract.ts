import { describe, expect, it } from 'vitest';
import type { JobRunner } from './job-runner.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** What both runners promise; each runner's spec runs it. `make(scope)` → runners of one installation. */
export function jobRunnerContract(name: string, make: (scope: string) => JobRunner, enabled = true): void {
  describe.skipIf(!enabled)(`JobRunner contract: ${name}`, () => {
    const scope = () => Math.random().toString(36).slice(2);

    it('runs a job again and again, and stops on close', async () => {
      const runner = make(scope());
      let runs = 0;
      await runner.every('count', 50, async () => {
        runs++;
      });
      await sleep(600);
      expect(runs).toBeGreaterThanOrEqual(3);
      await runner.close();
      const after = runs;
      await sleep(200);
      expect(runs).toBe(after);
    });

    it('never overlaps a slow run with the next tick', async () => {
      const runner = make(scope());
      let active = 0;
      let most = 0;
      let runs = 0;
      await runner.every('slow', 30, async () => {
        active++;
        most = Math.max(most, active);
        await sleep(120);
        active--;
        runs++;
      });
      await sleep(700);
      await runner.close();
      expect(runs).toBeGreaterThanOrEqual(2);
      expect(most).toBe(1);
    });

    it('survives a failing run', async () => {
      const runner = make(scope());
      let runs = 0;
      await runner.every('flaky', 50, async () => {
        runs++;
        if (runs === 1) throw new Error('first run fails');
      });
      await sleep(600);
      await runner.close();
      expect(runs).toBeGreaterThanOrEqual(2);
    });
  });
}
