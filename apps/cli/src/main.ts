import 'reflect-metadata';
import { loadConfig } from '@tiergate/api-core';
import { DatabaseTarget, PrismaService, applyMigrations } from '@tiergate/api-db';
import { LedgerRuntime, RedisLedgerDriver, UsageRepository } from '@tiergate/api-ledger';
import { Redis } from 'ioredis';

const USAGE = `Tiergate operator CLI

  tiergate migrate           apply pending migrations to DATABASE_URL
  tiergate ledger:rebuild    rebuild every Redis counter from the usage rows in PostgreSQL

Needs DATABASE_URL (and REDIS_URL for the ledger). On a single node (no REDIS_URL) the counters
live in the server process and are rebuilt from PostgreSQL at every start: restart it instead.`;

async function rebuildLedger(): Promise<void> {
  const config = loadConfig();
  if (!config.databaseUrl || !config.redisUrl) throw new Error('ledger:rebuild needs DATABASE_URL and REDIS_URL');
  const prisma = new PrismaService(new DatabaseTarget(config.databaseUrl, config.databaseSchema));
  const redis = new Redis(config.redisUrl);
  try {
    const runtime = new LedgerRuntime(new RedisLedgerDriver(redis, { prefix: config.redisPrefix }), new UsageRepository(prisma), prisma, {
      background: false,
      reapEveryMs: 0,
      batchSize: 500,
      singleNode: false,
    });
    // Usage still in the stream goes to PostgreSQL first, so the rebuild counts it.
    while ((await runtime.persistOnce(0)) > 0);
    const counters = await runtime.rebuild();
    console.log(`rebuilt ${counters} counter(s)`);
  } finally {
    await redis.quit();
    await prisma.onApplicationShutdown();
  }
}

async function main(argv: string[]): Promise<number> {
  switch (argv[0]) {
    case 'migrate': {
      const url = process.env.DATABASE_URL;
      if (!url) throw new Error('migrate needs DATABASE_URL');
      const { applied } = await applyMigrations({ databaseUrl: url, schema: process.env.DATABASE_SCHEMA || undefined });
      console.log(applied.length ? `applied: ${applied.join(', ')}` : 'up to date');
      return 0;
    }
    case 'ledger:rebuild':
      await rebuildLedger();
      return 0;
    default:
      console.log(USAGE);
      return argv[0] === undefined || argv[0] === 'help' || argv[0] === '--help' ? 0 : 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
