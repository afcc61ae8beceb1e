import { Redis } from 'ioredis';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { BullMqJobRunner } from './bullmq-job-runner.js';
import { jobRunnerContract } from './job-runner.contract.js';

const url = inject('redisUrl');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

afterAll(async () => {
  if (!url) return;
  // The job schedulers outlive their runners by design; this spec's prefixes go with it.
  const redis = new Redis(url);
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `{tgtest-*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) await redis.unlink(...keys);
  } while (cursor !== '0');
  await redis.quit();
});

// Runs against the real Redis when REDIS_URL is set (CI sets it); skipped on a bare machine.
jobRunnerContract('bullmq', (scope) => new BullMqJobRunner(url!, `{tgtest-${scope}}:jobs`), url !== undefined);

describe.skipIf(url === undefined)('BullMQ job runner across replicas', () => {
  it('runs each tick once for the installation, not once per replica', async () => {
    const prefix = `{tgtest-${Math.random().toString(36).slice(2)}}:jobs`;
    const replicas = [new BullMqJobRunner(url!, prefix), new BullMqJobRunner(url!, prefix), new BullMqJobRunner(url!, prefix)];
    const runs: number[] = [];
    const started = Date.now();
    for (const [i, runner] of replicas.entries()) await runner.every('shared', 200, async () => void runs.push(i));
    await sleep(2100);
    const elapsed = Date.now() - started;
    await Promise.all(replicas.map((r) => r.close()));
    // About one run per 200 ms in all — three replicas each running every tick would give ~3×.
    expect(runs.length).toBeGreaterThanOrEqual(5);
    expect(runs.length).toBeLessThanOrEqual(Math.ceil(elapsed / 200) + 1);
  });
});
