/**
 * Usage reports at scale: 100,000 accounts (master → 100 agents → 1,000 tenants → 99,000 users)
 * and BENCH_REQUESTS relayed requests (default 2,500,000: 10 million usage_charge rows, one per
 * level) over 30 days and 5 models, folded into the daily rollup; then the report queries that
 * the consoles make, each timed over several runs.
 *
 *   DATABASE_URL=postgresql://… pnpm bench:reports
 *
 * Works in a throw-away schema that it drops afterwards. Prints a table and, as the last line,
 * one JSON object with the headline numbers.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { DatabaseTarget, PrismaService, applyMigrations } from '../libs/api/db/src/index.js';
import { UsageReportsRepository } from '../libs/api/usage/src/usage.repository.js';

const databaseUrl = process.env.DATABASE_URL || 'postgresql://root@127.0.0.1:5432/test';
const requests = Number(process.env.BENCH_REQUESTS ?? 2_500_000);
const runs = Number(process.env.BENCH_RUNS ?? 7);
const schema = `tg_bench_${randomBytes(4).toString('hex')}`;

const uuid = (tag: string, i: string) => `md5('${tag}' || ${i})::uuid`;

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t0 = performance.now();
  const out = await fn();
  return [out, performance.now() - t0];
}

async function main() {
  await applyMigrations({ databaseUrl, schema });
  const sql = new pg.Pool({ connectionString: databaseUrl, max: 2, options: `-c search_path=${schema}` });
  const prisma = new PrismaService(new DatabaseTarget(databaseUrl, schema));
  const repo = new UsageReportsRepository(prisma);
  try {
    const master = (await sql.query<{ id: string }>(`SELECT ${uuid('m', "'0'")} AS id`)).rows[0]!.id;
    const [, tAccounts] = await timed(async () => {
      await sql.query(`INSERT INTO account (id, kind, name, parent_id, updated_at) VALUES ($1, 'MASTER', 'master', NULL, now())`, [master]);
      await sql.query(`INSERT INTO account (id, kind, name, parent_id, updated_at) SELECT ${uuid('a', 'g')}, 'AGENT', 'agent ' || g, $1, now() FROM generate_series(0, 99) g`, [master]);
      await sql.query(`INSERT INTO account (id, kind, name, parent_id, updated_at) SELECT ${uuid('t', 'g')}, 'TENANT', 'tenant ' || g, ${uuid('a', '(g / 10)')}, now() FROM generate_series(0, 999) g`);
      await sql.query(`INSERT INTO account (id, kind, name, parent_id, updated_at) SELECT ${uuid('u', 'g')}, 'USER', 'user ' || g, ${uuid('t', '(g / 99)')}, now() FROM generate_series(0, 98999) g`);
    });
    const accounts = Number((await sql.query('SELECT count(*) AS n FROM account')).rows[0].n);

    // Request r: user u = r % 99000 (tenant u/99, agent u/990), day r % 30, model (r / 30) % 5.
    const [, tRows] = await timed(async () => {
      await sql.query(`
        INSERT INTO usage_record (request_id, account_id, api_key_id, channel_id, model, input_tokens, cached_tokens, output_tokens, status, settled_at)
        SELECT 'r' || r, ${uuid('u', '(r % 99000)')}, NULL, NULL, 'model-' || ((r / 30) % 5), 600, 0, 400, 'ok',
               timestamptz '2026-03-01' + ((r % 30) * interval '1 day') + ((r % 86400) * interval '1 second')
        FROM generate_series(0, ${requests - 1}) r`);
      await sql.query(`
        INSERT INTO usage_charge (request_id, account_id, depth, credits, tokens, requests, settled_at)
        SELECT rec.request_id, lvl.account_id, lvl.depth, lvl.credits, 1000, 1, rec.settled_at
        FROM (SELECT request_id, substr(request_id, 2)::bigint AS r, settled_at FROM usage_record) rec
        CROSS JOIN LATERAL (VALUES
          (${uuid('u', '(rec.r % 99000)')}, 0, 1500::bigint),
          (${uuid('t', '((rec.r % 99000) / 99)')}, 1, 1200::bigint),
          (${uuid('a', '((rec.r % 99000) / 990)')}, 2, 1000::bigint),
          ($1::uuid, 3, 800::bigint)
        ) AS lvl(account_id, depth, credits)`,
        [master],
      );
    });
    const charges = Number((await sql.query('SELECT count(*) AS n FROM usage_charge')).rows[0].n);

    // The same fold the migration and the persister run.
    const [, tFold] = await timed(() =>
      sql.query(`
        INSERT INTO usage_daily (account_id, day, model, via_id, requests, tokens, credits, child_credits)
        SELECT c.account_id, (c.settled_at AT TIME ZONE 'UTC')::date, r.model, COALESCE(b.account_id, c.account_id),
               SUM(c.requests), SUM(c.tokens), SUM(c.credits), COALESCE(SUM(b.credits), 0)
        FROM usage_charge c
        JOIN usage_record r ON r.request_id = c.request_id
        LEFT JOIN usage_charge b ON b.request_id = c.request_id AND b.depth = c.depth - 1
        GROUP BY 1, 2, 3, 4`),
    );
    await sql.query('ANALYZE');
    const daily = Number((await sql.query('SELECT count(*) AS n FROM usage_daily')).rows[0].n);

    const agent = (await sql.query(`SELECT ${uuid('a', "'7'")} AS id`)).rows[0].id as string;
    const tenant = (await sql.query(`SELECT ${uuid('t', "'77'")} AS id`)).rows[0].id as string;
    const from = new Date('2026-03-01T00:00:00Z');
    const to = new Date('2026-03-31T00:00:00Z');
    const cases: [string, () => Promise<unknown>][] = [
      ['master by day', () => repo.sums(master, from, to, 'day')],
      ['master by model', () => repo.sums(master, from, to, 'model')],
      ['master by child', () => repo.sums(master, from, to, 'child')],
      ['agent by day', () => repo.sums(agent, from, to, 'day')],
      ['agent by child', () => repo.sums(agent, from, to, 'child')],
      ['tenant by child (99 users)', () => repo.sums(tenant, from, to, 'child')],
      ['master request log, page 1', () => repo.requestLog(master, { from, to, limit: 51 })],
      ['master request log, model filter', () => repo.requestLog(master, { from, to, model: 'model-3', limit: 51 })],
      // A model nobody used: the page ends after the bounded scan, with a cursor to go on.
      ['master request log, unused model', () => repo.requestLog(master, { from, to, model: 'model-9', limit: 51 })],
      ['tenant request log, status filter', () => repo.requestLog(tenant, { from, to, status: 'ok', limit: 51 })],
    ];
    const results: Record<string, number> = {};
    console.log(`accounts ${accounts}, requests ${requests}, usage_charge rows ${charges}, usage_daily rows ${daily}`);
    console.log(`seed accounts ${(tAccounts / 1000).toFixed(1)}s, usage rows ${(tRows / 1000).toFixed(1)}s, fold ${(tFold / 1000).toFixed(1)}s`);
    console.log('query'.padEnd(36), 'median ms', 'max ms');
    for (const [name, fn] of cases) {
      await fn();
      const times: number[] = [];
      for (let i = 0; i < runs; i++) times.push((await timed(fn))[1]);
      times.sort((a, b) => a - b);
      results[name] = Math.round(times[Math.floor(times.length / 2)]! * 10) / 10;
      console.log(name.padEnd(36), String(results[name]).padStart(9), String(Math.round(times[times.length - 1]! * 10) / 10).padStart(6));
    }
    console.log(JSON.stringify({ accounts, requests, usageChargeRows: charges, usageDailyRows: daily, foldSeconds: Math.round(tFold / 100) / 10, medianMs: results }));
  } finally {
    await sql.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await sql.end();
    await prisma.onApplicationShutdown();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
