import { RedisLedgerDriver } from '../libs/api/ledger/src/drivers/redis-ledger.driver.js';
import type { Redis } from 'ioredis';
const fake = { options: {}, defineCommand(name: string) { (this as Record<string, unknown>)[name] = () => Promise.resolve(0); } } as unknown as Redis;
const depth = Number(process.env.DEPTH ?? 4);
const weekEnd = Date.now() + 7 * 86_400_000;
const levels = Array.from({ length: depth }, (_, i) => ({
  accountId: `bench-acct-${i}`, credits: BigInt(20_000 - i * 500), tokens: 1_200n, requests: 1n,
  counters: [
    { ruleId: `bench-bal-abcdef-${i}`, unit: 'CREDITS' as const, limit: 1n << 52n, windowId: 'life', windowEndsAt: null },
    { ruleId: `bench-rpw-abcdef-${i}`, unit: 'REQUESTS' as const, limit: 1n << 40n, windowId: `wk${weekEnd}`, windowEndsAt: weekEnd },
  ],
}));
const actual = { levels: levels.map((l) => ({ credits: (l.credits * 7n) / 10n, tokens: 800n, requests: 1n })), inputTokens: 500n, cachedTokens: 0n, outputTokens: 300n, status: 'ok' as const };
const driver = new RedisLedgerDriver(fake, { prefix: '{tgbench}' });
const meta = { accountId: 'bench-acct-0', apiKeyId: 'k', model: 'm' };
for (let round = 0; round < 3; round++) {
  const N = 50000;
  const t0 = performance.now();
  for (let i = 0; i < N; i++) { await driver.reserve({ requestId: `r-${round}-${i}`, levels, deadlineAt: 1795324467528, meta }); }
  const t1 = performance.now();
  for (let i = 0; i < N; i++) { await driver.settle(`r-${round}-${i}`, actual); }
  const t2 = performance.now();
  console.log(`depth ${depth}: reserve ${((t1 - t0) / N * 1000).toFixed(2)} µs, settle ${((t2 - t1) / N * 1000).toFixed(2)} µs`);
}
