/**
 * The floor under the relay bench: what plain Node does on this box with the same exchanges as
 * one Tiergate request and nothing else — a bare node:http server that, per request, parses the
 * JSON body, runs one Redis script (auto-pipelined ioredis), calls the mock upstream with undici,
 * runs a second script, and answers the upstream's JSON. No auth, pricing, ledger payloads,
 * persistence, routing framework or streaming. Tiergate's req/s and CPU per request in
 * `pnpm bench:relay` are read against this.
 *
 *   pnpm bench:floor            # REDIS_URL defaults to redis://127.0.0.1:6379
 *
 * BENCH_SECONDS (default 8), BENCH_CONNECTIONS (default 32), BENCH_SAMPLES (sequential requests
 * per route, default 2000). The server runs in its own process (this file in `serve` mode); prints
 * req/s and the server's CPU µs per request, with and without the two Redis calls, twice; then the
 * sequential latency each route adds over a direct call to the mock, alternating request by
 * request, including a route that answers before its second script. Uses and removes one Redis
 * key of its own.
 */
import autocannon from 'autocannon';
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpus } from 'node:os';
import { Agent as HttpAgent, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { Agent, request } from 'undici';
import { cpuSecondsOf } from './process-cpu.js';
import { percentile, timedPost } from './sequential.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const seconds = Number(process.env.BENCH_SECONDS ?? 8);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 32);
const samples = Number(process.env.BENCH_SAMPLES ?? 2000);
const body = JSON.stringify({ model: 'mock-gpt', messages: [{ role: 'user', content: 'hello from the relay benchmark' }], max_tokens: 32 });

/**
 * The bare server, in its own process (`serve <mockUrl>`): /with-redis runs both scripts around the
 * upstream call, /answer-then-redis answers first and runs the second script after, /upstream-only
 * runs none.
 */
async function serve(mockUrl: string): Promise<void> {
  const redis = new Redis(process.env.REDIS_URL || 'redis://127.0.0.1:6379', { enableAutoPipelining: true });
  const key = `{tgfloor-${randomBytes(4).toString('hex')}}:counter`;
  redis.defineCommand('floorStep', { numberOfKeys: 1, lua: "redis.call('INCRBY', KEYS[1], ARGV[1]) return 0" });
  const step = (amount: number) => (redis as unknown as { floorStep(k: string, a: string): Promise<number> }).floorStep(key, String(amount));
  const dispatcher = new Agent({ connections: 512, keepAliveTimeout: 60_000 });
  const server = createServer((req, res) => {
    const withRedis = req.url === '/with-redis' || req.url === '/answer-then-redis';
    const settleAfter = req.url === '/answer-then-redis';
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const parsed: unknown = JSON.parse(Buffer.concat(chunks).toString());
        if (withRedis) await step(5);
        const upstream = await request(`${mockUrl}/v1/chat/completions`, { method: 'POST', dispatcher, headers: { 'content-type': 'application/json', authorization: 'Bearer sk-floor' }, body: JSON.stringify(parsed) });
        const text = await upstream.body.text();
        if (withRedis && !settleAfter) await step(-3);
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
        res.end(text);
        if (settleAfter) await step(-3);
      })().catch((err: unknown) => {
        res.writeHead(500);
        res.end(String(err));
      });
    });
  });
  server.listen(0, '127.0.0.1', () => process.stdout.write(`floor listening on http://127.0.0.1:${(server.address() as AddressInfo).port}\n`));
  process.once('SIGTERM', () => {
    server.close();
    void Promise.all([dispatcher.close(), redis.del(key).then(() => redis.quit())]).finally(() => process.exit(0));
  });
}

/** Starts a child and resolves with the first http://host:port it prints. */
function startChild(args: string[]): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((ok, fail) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      const url = /http:\/\/[\d.]+:\d+/.exec(chunk.toString())?.[0];
      if (url) ok({ child, url });
    });
    child.once('exit', (code) => fail(new Error(`${args.join(' ')} exited (${code})`)));
  });
}

async function main(): Promise<void> {
  const mock = await startChild([join(root, 'apps/mock-upstream/dist/main.js'), '--port=0']);
  // The same loader flags as this process (tsx), so the child runs this file in serve mode.
  const floor = await startChild([...process.execArgv, fileURLToPath(import.meta.url), 'serve', mock.url]);
  const load = (path: string, duration: number) =>
    autocannon({ url: `${floor.url}${path}`, method: 'POST', connections, duration, headers: { 'content-type': 'application/json' }, body });
  try {
    console.log(`relay floor: ${connections} connections, ${seconds} s per phase; node ${process.version}, ${cpus().length} cpus`);
    for (const path of ['/with-redis', '/upstream-only', '/with-redis', '/upstream-only']) {
      await load(path, 2); // warm-up
      const before = cpuSecondsOf(floor.child.pid!);
      const result = await load(path, seconds);
      const cpuUs = ((cpuSecondsOf(floor.child.pid!) - before) * 1e6) / Math.max(1, result['2xx']);
      console.log(`${path === '/with-redis' ? 'with 2 Redis scripts' : 'upstream only       '}: ${Math.round(result['2xx'] / seconds)} req/s, ${Math.round(cpuUs)} µs CPU/req, ${result.non2xx} non-2xx`);
    }

    // Sequential latency: one request at a time per target on its own kept-alive connection,
    // alternating targets request by request; the first 100 rounds warm up.
    const targets = [
      { name: 'direct to the mock          ', url: `${mock.url}/v1/chat/completions` },
      { name: 'upstream only               ', url: `${floor.url}/upstream-only` },
      { name: 'with 2 Redis scripts        ', url: `${floor.url}/with-redis` },
      { name: 'answer, then second script  ', url: `${floor.url}/answer-then-redis` },
    ].map((t) => ({ ...t, agent: new HttpAgent({ keepAlive: true, maxSockets: 1 }), ms: [] as number[] }));
    for (let i = 0; i < samples + 100; i++) {
      for (const target of targets) {
        const { ms, ok } = await timedPost(target.agent, target.url, { authorization: 'Bearer sk-floor' }, body, 'end');
        if (!ok) throw new Error(`${target.url} answered non-200`);
        if (i >= 100) target.ms.push(ms);
      }
    }
    for (const target of targets) {
      target.agent.destroy();
      target.ms.sort((a, b) => a - b);
    }
    const direct = targets[0]!;
    const us = (ms: number) => Math.round(ms * 1000);
    console.log(`sequential, ${samples} requests each (direct: absolute µs; the others: added µs over direct at the same percentile)`);
    for (const target of targets) {
      const [p50, p99] = [percentile(target.ms, 0.5), percentile(target.ms, 0.99)];
      if (target === direct) console.log(`${target.name}: p50 ${us(p50)} µs, p99 ${us(p99)} µs`);
      else console.log(`${target.name}: p50 +${us(p50 - percentile(direct.ms, 0.5))} µs, p99 +${us(p99 - percentile(direct.ms, 0.99))} µs`);
    }
  } finally {
    floor.child.kill('SIGTERM');
    mock.child.kill('SIGTERM');
  }
}

if (process.argv[2] === 'serve') void serve(process.argv[3]!);
else
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
