import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PrismaClient } from './generated/prisma/client.js';

/** Where the database is; the schema lets tests give each file its own fresh one. */
export class DatabaseTarget {
  constructor(
    readonly url: string,
    readonly schema?: string,
  ) {}
}

const logger = new Logger('Database');

/** Builds the pool Prisma runs on; raw SQL resolves unqualified names through search_path. */
export function createPool(target: DatabaseTarget, max = 10): pg.Pool {
  const pool = new pg.Pool({
    connectionString: target.url,
    max,
    options: target.schema ? `-c search_path="${target.schema.replace(/"/g, '')}"` : undefined,
  });
  // An idle connection dropped by the server (restart, failover: 57P01) is emitted on the pool;
  // unheard, that event would end the process. The pool replaces the connection on next use.
  pool.on('error', (err) => logger.warn(`idle database connection lost: ${err.message}`));
  return pool;
}

/** The only place that constructs Prisma. */
@Injectable()
export class PrismaService extends PrismaClient implements OnApplicationShutdown {
  readonly pool: pg.Pool;

  constructor(@Inject(DatabaseTarget) target: DatabaseTarget) {
    const pool = createPool(target);
    super({ adapter: new PrismaPg(pool, { schema: target.schema }) });
    this.pool = pool;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.$disconnect();
    await this.pool.end().catch(() => undefined);
  }
}

/** A Prisma client inside an interactive transaction. */
export type Tx = Omit<PrismaClient, '$connect' | '$disconnect' | '$on' | '$transaction' | '$extends'>;
