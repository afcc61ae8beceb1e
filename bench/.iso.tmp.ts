import { Redis } from 'ioredis';
import { RedisLedgerDriver } from '../libs/api/ledger/src/drivers/redis-ledger.driver.js';
const r = new Redis('redis://127.0.0.1:6379');
const P = '{tgbench-iso}';
const depth = Number(process.env.DEPTH ?? 4);
const weekEnd = Date.now() + 7 * 86_400_000;
function reserveArgs(id: string): string[] {
  const keys = [`${P}:r:${id}`, `${P}:d:${id}`, `${P}:deadlines`];
  const cargs: string[] = [];
  let amounts = '';
  const accounts: string[] = [];
  for (let li = 0; li < depth; li++) {
    const c = String(20000 - li * 500);
    amounts += `${li ? ';' : ''}${c},1200,1`;
    accounts.push(`bench-acct-${li}`);
    keys.push(`${P}:c:bench-bal-x-${li}:life`); cargs.push(String(li * 3), c, '-', String(2 ** 52), '12');
    keys.push(`${P}:c:bench-rpw-x-${li}:wk${weekEnd}`); cargs.push(String(li * 3 + 2), '1', String(weekEnd + 86400000), String(2 ** 40), '12');
  }
  return [String(keys.length), ...keys, id, String(Date.now() + 60000), '{"accountId":"bench-acct-0","model":"m","apiKeyId":"k"}', JSON.stringify(accounts), amounts, String(depth), ...cargs];
}
function settleArgs(id: string): string[] {
  const amounts: string[] = []; let text = '';
  for (let li = 0; li < depth; li++) { const c = String(Math.floor((20000 - li * 500) * 0.7)); amounts.push(c, '800', '1'); text += `${li ? ';' : ''}${c},800,1`; }
  return [`${P}:r:${id}`, `${P}:d:${id}`, `${P}:deadlines`, `${P}:usage`, id, '604800', String(Date.now()), 'ok', '500', '0', '300', text, String(depth), ...amounts];
}
const cpu = async () => { const i = await r.info('cpu'); return Number(i.match(/used_cpu_user:(\S+)/)![1]) + Number(i.match(/used_cpu_sys:(\S+)/)![1]); };
const stat = async () => { const i = await r.info('commandstats'); const g = (n: string) => { const m = i.match(new RegExp(`cmdstat_${n}:calls=(\\d+),usec=(\\d+)`)); return m ? [Number(m[1]), Number(m[2])] : [0, 0]; }; return g('evalsha'); };
const driver = new RedisLedgerDriver(r, { prefix: P });
const levels = Array.from({ length: depth }, (_, i) => ({
  accountId: `bench-acct-${i}`, credits: BigInt(20_000 - i * 500), tokens: 1_200n, requests: 1n,
  counters: [
    { ruleId: `bench-bal-${i}`, unit: 'CREDITS' as const, limit: 1n << 52n, windowId: 'life', windowEndsAt: null },
    { ruleId: `bench-rpw-${i}`, unit: 'REQUESTS' as const, limit: 1n << 40n, windowId: `wk${weekEnd}`, windowEndsAt: weekEnd },
  ],
}));
const actual = { levels: levels.map((l) => ({ credits: (l.credits * 7n) / 10n, tokens: 800n, requests: 1n })), inputTokens: 500n, cachedTokens: 0n, outputTokens: 300n, status: 'ok' as const };
for (let round = 0; round < 3; round++) {
  const N = 10000;
  const ids = Array.from({ length: N }, (_, i) => `iso-${round}-${i}-${Math.random().toString(36).slice(2)}`);
  const s0 = await stat(); const c0 = await cpu(); const n0 = process.cpuUsage();
  const res = await Promise.all(ids.map((id) => driver.reserve({ requestId: id, levels, deadlineAt: Date.now() + 60000, meta: { accountId: 'a', model: 'm' } })));
  const s1 = await stat(); const c1 = await cpu(); const n1 = process.cpuUsage(n0);
  const res2 = await Promise.all(ids.map((id) => driver.settle(id, actual)));
  const s2 = await stat(); const c2 = await cpu(); const n2 = process.cpuUsage(n0);
  console.log(`depth ${depth} reserve: ${((s1[1] - s0[1]) / (s1[0] - s0[0])).toFixed(1)} µs/call (redis cpu ${((c1 - c0) * 1e6 / N).toFixed(1)}, node ${((n1.user + n1.system) / N).toFixed(1)}) settle: ${((s2[1] - s1[1]) / (s2[0] - s1[0])).toFixed(1)} µs/call (redis cpu ${((c2 - c1) * 1e6 / N).toFixed(1)}, node ${((n2.user + n2.system - n1.user - n1.system) / N).toFixed(1)})`, res[0], res2[0]);
}
let cursor = '0'; do { const [n, k] = await r.scan(cursor, 'MATCH', `${P}*`, 'COUNT', 1000); cursor = n; if (k.length) await r.unlink(...k); } while (cursor !== '0');
await r.quit();
