/**
 * The relay side by side with the Portkey gateway, in one run, alternating between targets:
 * direct calls to the mock upstream, Tiergate (the built app in its own process: Fastify, Redis
 * ledger, usage persisted to Postgres, a 4-level chain master → agent → agent → tenant → user)
 * and Portkey (`@portkey-ai/gateway`, its own process), all against the same mock upstream.
 *
 *   pnpm bench:relay
 *
 * Measures req/s at 32 connections (autocannon) for plain and streaming chat, sequential latency
 * (p50/p99 of the full answer; of the first body byte for streams) with the direct call as the
 * baseline, and every non-2xx. At the end it checks that Tiergate's usage rows in Postgres are
 * exactly the requests it answered and that the ledger charged every level exactly.
 *
 * Environment: REDIS_URL (default redis://127.0.0.1:6379), DATABASE_URL (a fresh schema in it;
 * unset → an embedded PostgreSQL in a temporary directory), BENCH_SECONDS (per load phase,
 * default 5), BENCH_ROUNDS (load rounds, default 3), BENCH_CONNECTIONS (default 32),
 * BENCH_SAMPLES (sequential requests per target and kind, default 2000), BENCH_CPU_PROF=<dir>
 * (run Tiergate with --cpu-prof into that directory), BENCH_ONLY=tiergate (skip Portkey).
 *
 * Prints a table and, as the last line, one JSON object with the headline numbers. Uses its own
 * Redis prefix and Postgres schema and removes both afterwards.
 */
import autocannon from 'autocannon';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent } from 'node:http';
import { createServer } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import pg from 'pg';
import { startEmbeddedPostgres } from '../libs/api/db/src/embedded/embedded-postgres.js';
import { cpuSecondsOf } from './process-cpu.js';
import { percentile, timedPost } from './sequential.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const redisUrl = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 32);
const samples = Number(process.env.BENCH_SAMPLES ?? 2000);
const cpuProfDir = process.env.BENCH_CPU_PROF;
const withPortkey = process.env.BENCH_ONLY !== 'tiergate';
const tag = randomBytes(4).toString('hex');
const MASTER_PASSWORD = `bench-master-${tag}`;
const MODEL = 'mock-gpt';
const PROMPT = 'hello from the relay benchmark';

type Kind = 'plain' | 'stream';
type TargetName = 'direct' | 'tiergate' | 'portkey';
interface Target {
  name: TargetName;
  url: string;
  headers: Record<string, string>;
  /** The process doing the target's work (the mock for direct calls), for CPU per request. */
  pid: number;
}

const bodies: Record<Kind, string> = {
  plain: JSON.stringify({ model: MODEL, messages: [{ role: 'user', content: PROMPT }], max_tokens: 32 }),
  stream: JSON.stringify({ model: MODEL, messages: [{ role: 'user', content: PROMPT }], max_tokens: 32, stream: true, stream_options: { include_usage: true } }),
};

function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => ok(port));
    });
  });
}

async function redisCpuSeconds(redis: Redis): Promise<number> {
  const info = await redis.info('cpu');
  const field = (name: string) => Number(info.match(new RegExp(`^${name}:(\\S+)`, 'm'))?.[1] ?? 0);
  return field('used_cpu_user') + field('used_cpu_sys');
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

const children: ChildProcess[] = [];

/** Starts a child process and waits until `ready` answers (or the child dies). */
async function startChild(name: string, args: string[], env: Record<string, string>, ready: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, args, { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${name} exited (${child.exitCode}):\n${output}`);
    const ok = await fetch(ready).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return child;
    await sleep(200);
  }
  throw new Error(`${name} did not become ready:\n${output}`);
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await Promise.race([exited, sleep(15_000)]);
  if (child.exitCode === null) child.kill('SIGKILL');
}

/** A JSON call to Tiergate's management API; anything but the expected status stops the bench. */
async function call<T = unknown>(base: string, method: string, path: string, opts: { token?: string; body?: unknown; expect?: number } = {}): Promise<T> {
  const res = await fetch(base + path, {
    method,
    headers: { ...(opts.token && { authorization: `Bearer ${opts.token}` }), ...(opts.body !== undefined && { 'content-type': 'application/json' }) },
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
  });
  const text = await res.text();
  if (res.status !== (opts.expect ?? res.status) || res.status >= 400) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

interface Login {
  accessToken: string;
  account: { id: string };
}

interface Chain {
  ids: string[];
  tokens: string[];
  apiKey: string;
}

/** master → agent → agent → tenant → user, each reseller with its own markup, and a channel to the mock. */
async function seed(base: string, mockUrl: string): Promise<Chain> {
  const master = await call<Login>(base, 'POST', '/api/v1/auth/login', { body: { username: 'master', password: MASTER_PASSWORD } });
  await call(base, 'PUT', `/api/v1/catalog/models/${MODEL}`, { token: master.accessToken, body: { inputPer1M: '2000000', outputPer1M: '8000000' } });
  await call(base, 'POST', '/api/v1/channels', {
    token: master.accessToken,
    expect: 201,
    body: { name: 'mock', provider: 'openai', baseUrl: `${mockUrl}/v1`, keys: ['sk-bench-upstream'], models: [MODEL] },
  });
  const ids = [master.account.id];
  const tokens = [master.accessToken];
  const kinds = ['AGENT', 'AGENT', 'TENANT', 'USER'] as const;
  const markups = [12_000, 12_500, 15_000];
  for (const [i, kind] of kinds.entries()) {
    const username = `bench-${kind.toLowerCase()}-${i}-${tag}`;
    const password = `pw-${username}`;
    const account = await call<{ id: string }>(base, 'POST', '/api/v1/accounts', { token: tokens[i], expect: 201, body: { kind, name: `Bench ${kind} ${i}`, username, password } });
    const login = await call<Login>(base, 'POST', '/api/v1/auth/login', { body: { username, password } });
    ids.push(account.id);
    tokens.push(login.accessToken);
    // Credit from the parent: far more than the run can spend, so nothing is refused.
    await call(base, 'POST', `/api/v1/accounts/${account.id}/grants`, { token: tokens[i], body: { delta: String(10n ** 15n / 10n ** BigInt(i)) } });
    if (i < markups.length) await call(base, 'PUT', `/api/v1/accounts/${account.id}/price-list`, { token: login.accessToken, body: { markupBps: markups[i] } });
  }
  const key = await call<{ key: string }>(base, 'POST', `/api/v1/accounts/${ids[4]}/api-keys`, { token: tokens[4], expect: 201, body: { name: 'bench' } });
  return { ids, tokens, apiKey: key.key };
}

/** What the ledger says each level has used (its main CREDITS rule). */
async function usedPerLevel(base: string, chain: Chain): Promise<bigint[]> {
  const out: bigint[] = [];
  for (let i = 0; i < chain.ids.length; i++) {
    // An account reads its own quota; the master's is read by itself too.
    const quota = await call<{ rules: { main: boolean; used: string }[] }>(base, 'GET', `/api/v1/accounts/${chain.ids[i]}/quota`, { token: chain.tokens[i] });
    const main = quota.rules.find((r) => r.main);
    out.push(BigInt(main?.used ?? 0));
  }
  return out;
}

interface Load {
  requests: number;
  /** CPU µs per request of the target's process, and of Redis. */
  cpuUs: number;
  redisUs: number;
  seconds: number;
  non2xx: number;
  fiveXx: number;
  errors: number;
}

async function load(target: Target, kind: Kind, amount: number, redis: Redis): Promise<Load> {
  const cpuBefore = cpuSecondsOf(target.pid);
  const redisBefore = await redisCpuSeconds(redis);
  const result = await loadOnly(target, kind, amount);
  const cpuUs = ((cpuSecondsOf(target.pid) - cpuBefore) * 1e6) / Math.max(1, result.requests);
  const redisUs = (((await redisCpuSeconds(redis)) - redisBefore) * 1e6) / Math.max(1, result.requests);
  return { ...result, cpuUs, redisUs };
}

function loadOnly(target: Target, kind: Kind, amount: number): Promise<Omit<Load, 'cpuUs' | 'redisUs'>> {
  return new Promise((ok, fail) => {
    const started = performance.now();
    autocannon(
      {
        url: `${target.url}/v1/chat/completions`,
        method: 'POST',
        connections,
        amount,
        timeout: 30,
        headers: { 'content-type': 'application/json', ...target.headers },
        body: bodies[kind],
      },
      (err, result) => {
        if (err) return fail(err);
        const statuses = (result.statusCodeStats ?? {}) as Record<string, { count: number }>;
        const fiveXx = Object.entries(statuses).reduce((sum, [code, s]) => sum + (code.startsWith('5') ? s.count : 0), 0);
        ok({ requests: result['2xx'], seconds: (performance.now() - started) / 1000, non2xx: result.non2xx, fiveXx, errors: result.errors + result.timeouts });
      },
    );
  });
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

async function main(): Promise<void> {
  const build = spawnSync(join(root, 'node_modules/.bin/tsc'), ['-b', 'apps/api/tsconfig.app.json'], { cwd: root, stdio: 'inherit' });
  if (build.status !== 0) throw new Error('tsc -b apps/api failed');

  const dataDir = mkdtempSync(join(tmpdir(), 'tg-relay-bench-'));
  const schema = `tgbench_${tag}`;
  const prefix = `{tgbench-${tag}}`;
  let embedded: Awaited<ReturnType<typeof startEmbeddedPostgres>> | null = null;
  let embeddedDir: string | null = null;
  let sql: pg.Pool | null = null;
  const redis = new Redis(redisUrl);
  try {
    let databaseUrl = process.env.DATABASE_URL;
    if (!databaseUrl) {
      // Its own temporary directory: the postgres user must be able to traverse it.
      embeddedDir = mkdtempSync(join(tmpdir(), 'tg-relay-bench-pg-'));
      embedded = await startEmbeddedPostgres({ dataDir: embeddedDir });
      databaseUrl = embedded.databaseUrl;
    }
    sql = new pg.Pool({ connectionString: databaseUrl, max: 2, options: `-c search_path=${schema}` });

    const [mockPort, tiergatePort, portkeyPort] = await Promise.all([freePort(), freePort(), freePort()]);
    const mockUrl = `http://127.0.0.1:${mockPort}`;
    const mock = await startChild('mock upstream', ['apps/mock-upstream/dist/main.js', `--port=${mockPort}`], {}, `${mockUrl}/__control`);
    const tiergateUrl = `http://127.0.0.1:${tiergatePort}`;
    const nodeArgs = cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${cpuProfDir}`] : [];
    const tiergate = await startChild(
      'tiergate',
      [...nodeArgs, 'apps/api/dist/main.js'],
      {
        PORT: String(tiergatePort),
        HOST: '127.0.0.1',
        DATA_DIR: dataDir,
        DATABASE_URL: databaseUrl,
        DATABASE_SCHEMA: schema,
        REDIS_URL: redisUrl,
        REDIS_PREFIX: prefix,
        MASTER_PASSWORD,
        LOG_LEVEL: 'warn',
      },
      `${tiergateUrl}/ready`,
    );
    const portkeyUrl = `http://127.0.0.1:${portkeyPort}`;
    const portkey = withPortkey ? await startChild('portkey', ['bench/portkey-server.mjs', `--port=${portkeyPort}`, '--headless'], {}, `${portkeyUrl}/`) : null;

    const chain = await seed(tiergateUrl, mockUrl);
    const targets: Target[] = [
      { name: 'direct', url: mockUrl, headers: { authorization: 'Bearer sk-bench-upstream' }, pid: mock.pid! },
      { name: 'tiergate', url: tiergateUrl, headers: { authorization: `Bearer ${chain.apiKey}` }, pid: tiergate.pid! },
      ...(withPortkey
        ? [{ name: 'portkey' as const, url: portkeyUrl, headers: { authorization: 'Bearer sk-bench-upstream', 'x-portkey-provider': 'openai', 'x-portkey-custom-host': `${mockUrl}/v1` }, pid: portkey!.pid! }]
        : []),
    ];
    const kinds: Kind[] = ['plain', 'stream'];
    let tiergateAnswered = 0;
    const errors = new Map<TargetName, { non2xx: number; fiveXx: number; errors: number }>(targets.map((t) => [t.name, { non2xx: 0, fiveXx: 0, errors: 0 }]));
    const count = (target: Target, l: Load) => {
      const e = errors.get(target.name)!;
      e.non2xx += l.non2xx;
      e.fiveXx += l.fiveXx;
      e.errors += l.errors;
      if (target.name === 'tiergate') tiergateAnswered += l.requests;
    };

    // Warm-up, and the rate of each target, so every measured phase is a fixed number of requests
    // that lasts about BENCH_SECONDS (a fixed count means nothing is left in flight to miscount).
    const rate = new Map<string, number>();
    for (const kind of kinds) {
      for (const target of targets) {
        const l = await load(target, kind, 2000, redis);
        count(target, l);
        rate.set(`${target.name}/${kind}`, l.requests / l.seconds);
      }
    }

    const rps = new Map<string, number[]>();
    const cpu = new Map<string, number[]>();
    const redisCpu = new Map<string, number[]>();
    for (let round = 0; round < rounds; round++) {
      for (const kind of kinds) {
        // Rotate the order every round, so no target always runs right after another.
        const order = targets.map((_, i) => targets[(i + round) % targets.length]!);
        for (const target of order) {
          const key = `${target.name}/${kind}`;
          const l = await load(target, kind, Math.max(500, Math.round(rate.get(key)! * seconds)), redis);
          count(target, l);
          rate.set(key, l.requests / l.seconds);
          rps.set(key, [...(rps.get(key) ?? []), l.requests / l.seconds]);
          cpu.set(key, [...(cpu.get(key) ?? []), l.cpuUs]);
          redisCpu.set(key, [...(redisCpu.get(key) ?? []), l.redisUs]);
          console.error(
            `round ${round + 1} ${kind} ${target.name}: ${Math.round(l.requests / l.seconds)} req/s, ${Math.round(l.cpuUs)} µs CPU/req (redis ${Math.round(l.redisUs)}), ${l.non2xx} non-2xx, ${l.errors} errors`,
          );
        }
      }
    }

    // Sequential latency, one request at a time, alternating targets request by request.
    const agents = new Map(targets.map((t) => [t.name, new Agent({ keepAlive: true, maxSockets: 1 })]));
    const latencies = new Map<string, number[]>();
    for (const kind of kinds) {
      for (let i = 0; i < samples + 100; i++) {
        for (const target of targets) {
          const { ms, ok } = await timedPost(agents.get(target.name)!, `${target.url}/v1/chat/completions`, target.headers, bodies[kind], kind === 'plain' ? 'end' : 'first-byte');
          if (!ok) errors.get(target.name)!.non2xx++;
          else if (target.name === 'tiergate') tiergateAnswered++;
          // The first 100 rounds warm the connections and the JIT.
          if (i >= 100) {
            const list = latencies.get(`${target.name}/${kind}`);
            if (list) list.push(ms);
            else latencies.set(`${target.name}/${kind}`, [ms]);
          }
        }
      }
    }
    for (const agent of agents.values()) agent.destroy();
    for (const list of latencies.values()) list.sort((a, b) => a - b);

    // Billing: every answered request persisted once, every level charged exactly.
    const charge = await verifyBilling(tiergateUrl, chain, sql, tiergateAnswered);

    await stopChild(tiergate);

    const lat = (name: TargetName, kind: Kind, p: number) => percentile(latencies.get(`${name}/${kind}`) ?? [], p);
    const addedUs = (name: TargetName, kind: Kind, p: number) => Math.round((lat(name, kind, p) - lat('direct', kind, p)) * 1000);
    const medianRps = (name: TargetName, kind: Kind) => Math.round(median(rps.get(`${name}/${kind}`) ?? [0]));
    const medianCpu = (name: TargetName, kind: Kind) => Math.round(median(cpu.get(`${name}/${kind}`) ?? [0]));
    const medianRedis = (name: TargetName, kind: Kind) => Math.round(median(redisCpu.get(`${name}/${kind}`) ?? [0]));
    const redisVersion = (await redis.info('server')).match(/^redis_version:(\S+)/m)?.[1] ?? 'unknown';

    console.log(
      `relay bench: ${connections} connections, ${rounds} round(s) of ~${seconds} s per target and kind (median shown), ${samples} sequential samples; node ${process.version}, redis ${redisVersion}, ${cpus().length} cpus, postgres ${embedded ? 'embedded' : 'DATABASE_URL'}`,
    );
    console.log(
      '| target | req/s plain | req/s stream | p50 plain µs | p99 plain µs | p50 TTFB stream µs | p99 TTFB stream µs | CPU µs/req plain | CPU µs/req stream | non-2xx | 5xx | socket errors |',
    );
    console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
    for (const t of targets) {
      const e = errors.get(t.name)!;
      const cell = (kind: Kind, p: number) => (t.name === 'direct' ? `${Math.round(lat('direct', kind, p) * 1000)}` : `+${addedUs(t.name, kind, p)}`);
      console.log(`| ${t.name} | ${medianRps(t.name, 'plain')} | ${medianRps(t.name, 'stream')} | ${cell('plain', 0.5)} | ${cell('plain', 0.99)} | ${cell('stream', 0.5)} | ${cell('stream', 0.99)} | ${medianCpu(t.name, 'plain')} | ${medianCpu(t.name, 'stream')} | ${e.non2xx} | ${e.fiveXx} | ${e.errors} |`);
    }
    console.log('(direct: absolute µs; the others: added µs over direct at the same percentile. CPU: of the target process; direct = the mock alone)');
    console.log(`Redis CPU per Tiergate request: ${medianRedis('tiergate', 'plain')} µs plain, ${medianRedis('tiergate', 'stream')} µs stream`);
    for (const t of targets) for (const kind of kinds) console.log(`${t.name} ${kind} req/s per round: ${(rps.get(`${t.name}/${kind}`) ?? []).map(Math.round).join(', ')}`);
    console.log(`billing: ${tiergateAnswered} answered = ${tiergateAnswered} usage rows; per request µc by level (master → user): ${charge.join(', ')}`);
    const tg = errors.get('tiergate')!;
    console.log(
      JSON.stringify({
        tiergatePlainRps: medianRps('tiergate', 'plain'),
        tiergateStreamRps: medianRps('tiergate', 'stream'),
        portkeyPlainRps: withPortkey ? medianRps('portkey', 'plain') : null,
        portkeyStreamRps: withPortkey ? medianRps('portkey', 'stream') : null,
        directPlainRps: medianRps('direct', 'plain'),
        directStreamRps: medianRps('direct', 'stream'),
        tiergateAddedP50Us: addedUs('tiergate', 'plain', 0.5),
        tiergateAddedP99Us: addedUs('tiergate', 'plain', 0.99),
        tiergateAddedTtfbP50Us: addedUs('tiergate', 'stream', 0.5),
        portkeyAddedP50Us: withPortkey ? addedUs('portkey', 'plain', 0.5) : null,
        portkeyAddedTtfbP50Us: withPortkey ? addedUs('portkey', 'stream', 0.5) : null,
        tiergateCpuUsPerPlain: medianCpu('tiergate', 'plain'),
        tiergateCpuUsPerStream: medianCpu('tiergate', 'stream'),
        portkeyCpuUsPerPlain: withPortkey ? medianCpu('portkey', 'plain') : null,
        tiergateNon2xx: tg.non2xx,
        tiergate5xx: tg.fiveXx,
        tiergateAnswered,
        billingExact: true,
        connections,
        node: process.version,
        redis: redisVersion,
        cpus: cpus().length,
      }),
    );
  } finally {
    await Promise.all(children.map(stopChild));
    await sql?.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined);
    await sql?.end();
    await embedded?.stop();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await redis.unlink(...keys);
    } while (cursor !== '0');
    await redis.quit();
    rmSync(dataDir, { recursive: true, force: true });
    if (embeddedDir) rmSync(embeddedDir, { recursive: true, force: true });
  }
}

/**
 * Waits for the persister, then checks: one 'ok' usage row per answered request and no other;
 * each level's charges in Postgres and its ledger counter both equal answered × the per-request
 * price, worked out here from the catalog price and the markups (round half up per level).
 * Returns the per-request charge by level.
 */
async function verifyBilling(base: string, chain: Chain, sql: pg.Pool, answered: number): Promise<bigint[]> {
  let rows = 0;
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    rows = Number((await sql.query('SELECT count(*)::int AS n FROM usage_record')).rows[0].n);
    if (rows >= answered) break;
    await sleep(250);
  }
  await sleep(1000);
  const byStatus = (await sql.query('SELECT status, count(*)::int AS n, min(input_tokens)::int AS pin, max(input_tokens)::int AS pax, min(output_tokens)::int AS cin, max(output_tokens)::int AS cax FROM usage_record GROUP BY status')).rows;
  const ok = byStatus.find((r) => r.status === 'ok');
  if (byStatus.length !== 1 || !ok || ok.n !== answered) throw new Error(`usage rows ${JSON.stringify(byStatus)} != ${answered} answered requests`);
  if (ok.pin !== ok.pax || ok.cin !== ok.cax) throw new Error(`requests reported different usage: ${JSON.stringify(ok)}`);
  const prompt = BigInt(ok.pin);
  const completion = BigInt(ok.cin);
  // Catalog 2 / 8 credits per 1M tokens (µc), then each reseller's markup on the price it passes down.
  const half = (n: bigint, d: bigint) => (n + d / 2n) / d;
  const prices: [bigint, bigint][] = [[2_000_000n, 8_000_000n]];
  prices.push(prices[0]!); // the first agent pays the catalog price
  for (const bps of [12_000n, 12_500n, 15_000n]) {
    const [i, o] = prices.at(-1)!;
    prices.push([half(i * bps, 10_000n), half(o * bps, 10_000n)]);
  }
  const perRequest = prices.map(([i, o]) => half(prompt * i + completion * o, 1_000_000n));
  const n = BigInt(answered);
  const persisted = (await sql.query('SELECT account_id, sum(credits)::text AS c, count(*)::int AS n FROM usage_charge GROUP BY account_id')).rows;
  const ledger = await usedPerLevel(base, chain);
  for (const [level, id] of chain.ids.entries()) {
    const row = persisted.find((r) => r.account_id === id);
    const want = perRequest[level]! * n;
    if (!row || BigInt(row.c) !== want || row.n !== answered) throw new Error(`level ${level}: persisted ${row?.c} over ${row?.n} rows, want ${want} over ${answered}`);
    if (ledger[level] !== want) throw new Error(`level ${level}: ledger used ${ledger[level]}, want ${want}`);
  }
  return perRequest;
}

main().catch(async (err: unknown) => {
  console.error(err);
  await Promise.all(children.map(stopChild));
  process.exit(1);
});
