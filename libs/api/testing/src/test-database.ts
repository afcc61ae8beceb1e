import './provided-context.js';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { DatabaseTarget, applyMigrations } from '@tiergate/api-db';

export interface TestDatabase {
  target: DatabaseTarget;
  /** A plain client on the same schema, for assertions that bypass the code under test. */
  sql: pg.Pool;
  drop(): Promise<void>;
}

/** A fresh schema with every migration applied, dropped again by `drop()`. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const databaseUrl = inject('databaseUrl');
  const schema = `t_${randomBytes(6).toString('hex')}`;
  await applyMigrations({ databaseUrl, schema });
  const target = new DatabaseTarget(databaseUrl, schema);
  const sql = new pg.Pool({ connectionString: databaseUrl, max: 4, options: `-c search_path=${schema}` });
  return {
    target,
    sql,
    async drop() {
      await sql.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await sql.end();
    },
  };
}
