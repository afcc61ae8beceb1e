import { Redis } from 'ioredis';
import { RESERVE_LUA, SETTLE_LUA } from '../libs/api/ledger/src/drivers/redis-ledger.lua.js';
import { RedisLedgerDriver } from '../libs/api/ledger/src/drivers/redis-ledger.driver.js';
// Captures the real payloads the driver sends, then replays them against variants of the scripts.
const r = new Redis('redis://127.0.0.1:6379');
const P = '{tgbench-iso2}';
const depth = Number(process.env.DEPTH ?? 4);
const weekEnd = Date.now() + 7 * 86_400_000;
const captured: { reserve: (string | Buffer)[][]; settle: (string | Buffer)[][] } = { reserve: [], settle: [] };
const fake = { options: {}, defineCommand(name: string) { (this as Record<string, unknown>)[name] = (...a: (string | Buffer)[]) => { (name === 'tgLedgerReserve' ? captured.reserve : captured.settle).push(a); return Promise.resolve(0); }; } } as unknown as Redis;
const driver = new RedisLedgerDriver(fake, { prefix: P });
const levels = Array.from({ length: depth }, (_, i) => ({
  accountId: `bench-acct-${i}`, credits: BigInt(20_000 - i * 500), tokens: 1_200n, requests: 1n,
  counters: [
    { ruleId: `bench-bal-${i}`, unit: 'CREDITS' as const, limit: 1n << 52n, windowId: 'life', windowEndsAt: null },
    { ruleId: `bench-rpw-${i}`, unit: 'REQUESTS' as const, limit: 1n << 40n, windowId: `wk${weekEnd}`, windowEndsAt: weekEnd },
  ],
}));
const actual = { levels: levels.map((l) => ({ credits: (l.credits * 7n) / 10n, tokens: 800n, requests: 1n })), inputTokens: 500n, cachedTokens: 0n, outputTokens: 300n, status: 'ok' as const };
const N = 10000;
for (let i = 0; i < N; i++) { await driver.reserve({ requestId: `iso-${i}-${Math.random().toString(36).slice(2)}`, levels, deadlineAt: Date.now() + 60000, meta: { accountId: 'a', model: 'm' } }); }
for (const a of captured.reserve) await driver.settle(String(a[3]), actual);
const stat = async () => { const i = await r.info('commandstats'); const m = i.match(/cmdstat_evalsha:calls=(\d+),usec=(\d+)/); return [Number(m![1]), Number(m![2])]; };
async function run(name: string, lua: string, calls: (string | Buffer)[][], keys: number) {
  const sha = await r.script('LOAD', lua) as string;
  const s0 = await stat();
  const p = r.pipeline(); for (const a of calls) p.evalsha(sha, keys, ...a); const res = await p.exec();
  const s1 = await stat();
  const err = res!.find(([e]) => e);
  console.log(name.padEnd(28), ((s1[1] - s0[1]) / (s1[0] - s0[0])).toFixed(2), 'µs/call', err ? String(err[0]) : res![0]![1]);
}
const v = process.env.V ?? 'all';
await run('reserve: full', RESERVE_LUA, captured.reserve, 3);
await run('reserve: dup', RESERVE_LUA, captured.reserve, 3);
await run('settle: full', SETTLE_LUA, captured.settle, 4);
await run('settle: again', SETTLE_LUA, captured.settle, 4);
let cursor = '0'; do { const [nx, k] = await r.scan(cursor, 'MATCH', `${P}*`, 'COUNT', 1000); cursor = nx; if (k.length) await r.unlink(...k); } while (cursor !== '0');
await r.quit();
