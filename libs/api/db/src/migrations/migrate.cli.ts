// `pnpm db:migrate`: applies pending prisma/migrations to DATABASE_URL (same default as prisma.config.ts).
import { performance } from 'node:perf_hooks';
import { DEFAULT_DATABASE_URL, applyMigrations } from './migrator.js';

const databaseUrl = process.env['DATABASE_URL'] ?? DEFAULT_DATABASE_URL;
const target = new URL(databaseUrl);
target.password = target.password ? '***' : '';

try {
  const started = performance.now();
  const { applied } = await applyMigrations({ databaseUrl });
  const ms = Math.round(performance.now() - started);
  if (applied.length === 0) {
    console.log(`${target}: already up to date (${ms} ms)`);
  } else {
    console.log(`${target}: applied ${applied.length} migration(s) in ${ms} ms`);
    for (const name of applied) console.log(`  ${name}`);
  }
} catch (err) {
  console.error(`${target}: migration failed`);
  console.error(err);
  process.exitCode = 1;
}
