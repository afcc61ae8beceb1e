/**
 * Ledger throughput: reserve + settle pairs with many in flight, against a real Redis (REDIS_URL,
 * default redis://127.0.0.1:6379) and the in-process driver for reference.
 *
 *   pnpm bench:ledger
 *
 * Environment: BENCH_SECONDS (measured seconds per phase, default 5), BENCH_CONCURRENCY (loops in
 * flight, default 512), BENCH_CONNECTIONS (ioredis clients the loops share, default 8),
 * BENCH_AUTOPIPELINE=0 (turn ioredis auto-pipelining off), BENCH_PROTOCOL=2 (RESP2 instead of
 * RESP3), BENCH_ONLY (a subset of phases).
 * Several connections because ioredis keeps one auto-pipeline in flight per connection: with one,
 * Node and Redis take turns instead of working at the same time (measured: 7k vs 14k pairs/s).
 *
 * Prints a table and, as the last line, one JSON object with the headline numbers.
 * Uses a unique key prefix and deletes every key under it afterwards.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { InProcessLedgerDriver } from '../libs/api/ledger/src/drivers/in-process-ledger.driver.js';
import { RedisLedgerDriver } from '../libs/api/ledger/src/drivers/redis-ledger.driver.js';
import type { ActualUsage, LedgerDriver, LevelCharge } from '../libs/api/ledger/src/ledger.types.js';

const redisUrl = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
const measureMs = Number(process.env.BENCH_SECONDS ?? 5) * 1000;
const warmupMs = Math.min(2000, measureMs / 2);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 512);
/** Comma-separated subset of the phases (redis4, redis16, memory4, journal4), for profiling one at a time. */
const only = process.env.BENCH_ONLY ? new Set(process.env.BENCH_ONLY.split(',')) : null;
const wanted = (phaseName: string) => !only || only.has(phaseName);
const runTag = randomBytes(4).toString('hex');
const prefix = `{tgbench-${runTag}}`;

/** Two counters per level: the LIFETIME CREDITS balance (huge limit) and a weekly REQUESTS cap. */
function chain(depth: number): LevelCharge[] {
  const weekEnd = Date.now() + 7 * 86_400_000;
  return Array.from({ length: depth }, (_, i) => ({
    accountId: `bench-acct-${i}`,
    credits: BigInt(20_000 - i * 500),
    tokens: 1_200n,
    requests: 1n,
    counters: [
      { ruleId: `bench-bal-${runTag}-${i}`, unit: 'CREDITS' as const, limit: 1n << 52n, windowId: 'life', windowEndsAt: null },
      { ruleId: `bench-rpw-${runTag}-${i}`, unit: 'REQUESTS' as const, limit: 1n << 40n, windowId: `wk${weekEnd}`, windowEndsAt: weekEnd },
    ],
  }));
}

/** What the upstream "used": less than reserved, as almost every real request. */
function actualFor(levels: LevelCharge[]): ActualUsage {
  return {
    levels: levels.map((l) => ({ credits: (l.credits * 7n) / 10n, tokens: 800n, requests: 1n })),
    inputTokens: 500n,
    cachedTokens: 0n,
    outputTokens: 300n,
    status: 'ok',
  };
}

interface PhaseResult {
  pairs: number;
  refused: number;
  seconds: number;
  p50Ms: number;
  p99Ms: number;
  nodeCpuUsPerPair: number;
  redisCpuUsPerPair: number | null;
}

async function redisCpuSeconds(redis: Redis | null): Promise<number | null> {
  if (!redis) return null;
  const info = await redis.info('cpu');
  const field = (name: string) => Number(info.match(new RegExp(`^${name}:(\\S+)`, 'm'))?.[1] ?? 0);
  return field('used_cpu_user') + field('used_cpu_sys');
}

/** Runs `concurrency` loops of reserve → settle; counts only what completes inside the measured window. */
async function phase(drivers: LedgerDriver[], levels: LevelCharge[], label: string, statsClient: Redis | null): Promise<PhaseResult> {
  const actual = actualFor(levels);
  const meta = { accountId: levels[0]!.accountId, apiKeyId: 'bench-key', model: 'bench-model' };
  let measuring = false;
  let stopped = false;
  let pairs = 0;
  let refused = 0;
  const latencies: number[] = [];
  let seq = 0;
  const loop = async (_: unknown, loopIndex: number): Promise<void> => {
    const driver = drivers[loopIndex % drivers.length]!;
    while (!stopped) {
      const requestId = `${label}-${runTag}-${seq++}`;
      const started = performance.now();
      const verdict = await driver.reserve({ requestId, levels, deadlineAt: Date.now() + 60_000, meta });
      if (verdict.ok) await driver.settle(requestId, actual);
      if (measuring) {
        if (!verdict.ok) refused++;
        pairs++;
        if ((pairs & 7) === 0) latencies.push(performance.now() - started);
      }
      // The in-process driver resolves on microtasks only; without this the timers never get a turn.
      if ((seq & 63) === 0) await new Promise((r) => setImmediate(r));
    }
  };
  const loops = Array.from({ length: concurrency }, loop);
  await sleep(warmupMs);
  const cpuBefore = process.cpuUsage();
  const redisBefore = await redisCpuSeconds(statsClient);
  const startedAt = performance.now();
  measuring = true;
  await sleep(measureMs);
  measuring = false;
  const seconds = (performance.now() - startedAt) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const redisAfter = await redisCpuSeconds(statsClient);
  stopped = true;
  await Promise.all(loops);
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))] ?? 0;
  return {
    pairs,
    refused,
    seconds,
    p50Ms: pct(0.5),
    p99Ms: pct(0.99),
    nodeCpuUsPerPair: (cpu.user + cpu.system) / Math.max(1, pairs),
    redisCpuUsPerPair: redisBefore === null || redisAfter === null ? null : ((redisAfter - redisBefore) * 1e6) / Math.max(1, pairs),
  };
}

async function cleanup(redis: Redis): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) await redis.unlink(...keys);
  } while (cursor !== '0');
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

async function main(): Promise<void> {
  const connections = Number(process.env.BENCH_CONNECTIONS ?? 8);
  const clients = Array.from({ length: connections }, () => new Redis(redisUrl, { enableAutoPipelining: process.env.BENCH_AUTOPIPELINE !== '0', protocol: process.env.BENCH_PROTOCOL === '2' ? 2 : 3 }));
  const admin = new Redis(redisUrl);
  const server = await admin.info('server');
  const redisVersion = server.match(/^redis_version:(\S+)/m)?.[1] ?? 'unknown';
  const rows: { name: string; result: PhaseResult }[] = [];
  try {
    for (const depth of [4, 16]) {
      if (!wanted(`redis${depth}`)) continue;
      const drivers = clients.map((client) => new RedisLedgerDriver(client, { prefix: `${prefix}:d${depth}` }));
      rows.push({ name: `redis depth ${depth}`, result: await phase(drivers, chain(depth), `r${depth}`, admin) });
      await Promise.all(drivers.map((d) => d.close()));
      await cleanup(admin);
    }
  } finally {
    await cleanup(admin);
    await Promise.all(clients.map((c) => c.quit()));
  }
  if (wanted('memory4')) {
    const memory = new InProcessLedgerDriver();
    rows.push({ name: 'in-process depth 4', result: await phase([memory], chain(4), 'm4', null) });
    await memory.close();
  }
  if (wanted('journal4')) {
    const dir = mkdtempSync(join(tmpdir(), 'tg-ledger-bench-'));
    try {
      const journaled = new InProcessLedgerDriver({ journalDir: dir });
      rows.push({ name: 'in-process depth 4, journaled', result: await phase([journaled], chain(4), 'j4', null) });
      await journaled.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  await admin.quit();

  const perSecond = (r: PhaseResult) => Math.round(r.pairs / r.seconds);
  console.log(`ledger bench: ${concurrency} loops in flight over ${connections} connection(s), ${warmupMs / 1000} s warm-up, ${measureMs / 1000} s measured; node ${process.version}, redis ${redisVersion}, ${cpus().length} cpus`);
  console.log('| driver | pairs/s | p50 ms | p99 ms | node CPU µs/pair | redis CPU µs/pair | refused |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const { name, result: r } of rows) {
    const redisCpu = r.redisCpuUsPerPair === null ? '–' : r.redisCpuUsPerPair.toFixed(1);
    console.log(`| ${name} | ${perSecond(r)} | ${r.p50Ms.toFixed(2)} | ${r.p99Ms.toFixed(2)} | ${r.nodeCpuUsPerPair.toFixed(1)} | ${redisCpu} | ${r.refused} |`);
  }
  const find = (name: string) => {
    const row = rows.find((r) => r.name === name);
    return row ? perSecond(row.result) : null;
  };
  console.log(
    JSON.stringify({
      depth4PairsPerSec: find('redis depth 4'),
      depth16PairsPerSec: find('redis depth 16'),
      inProcessDepth4PairsPerSec: find('in-process depth 4'),
      inProcessJournaledDepth4PairsPerSec: find('in-process depth 4, journaled'),
      concurrency,
      connections,
      node: process.version,
      redis: redisVersion,
      cpus: cpus().length,
    }),
  );
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
