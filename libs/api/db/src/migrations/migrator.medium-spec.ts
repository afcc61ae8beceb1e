import { createHash, randomBytes } from 'node:crypto';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { applyMigrations, locatePrisma } from './migrator.js';

const databaseUrl = inject('databaseUrl');
const { migrationsDir } = locatePrisma();
const schema = `t_migrator_${randomBytes(5).toString('hex')}`;
const raceSchema = `${schema}_race`;
const db = new pg.Client({ connectionString: databaseUrl });

/** Every folder with a migration.sql, and the checksum Prisma records for it (sha256 of the file). */
async function migrationFolders(): Promise<{ name: string; checksum: string }[]> {
  const entries = await readdir(migrationsDir, { withFileTypes: true });
  const folders = entries.filter((e) => e.isDirectory()).map((e) => e.name).sort();
  return Promise.all(
    folders.map(async (name) => ({
      name,
      checksum: createHash('sha256').update(await readFile(path.join(migrationsDir, name, 'migration.sql'))).digest('hex'),
    })),
  );
}

describe('applyMigrations', { timeout: 60_000 }, () => {
  beforeAll(async () => {
    await db.connect();
  });

  afterAll(async () => {
    for (const s of [schema, raceSchema]) await db.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
    await db.end();
  });

  it('creates the tables in the requested schema', async () => {
    const folders = await migrationFolders();
    expect(folders.length).toBeGreaterThan(0);

    const { applied } = await applyMigrations({ databaseUrl, schema, migrationsDir });

    expect(applied).toEqual(folders.map((f) => f.name));
    const { rows } = await db.query<{ table_name: string }>(
      'SELECT table_name FROM information_schema.tables WHERE table_schema = $1',
      [schema],
    );
    expect(rows.map((r) => r.table_name)).toEqual(
      expect.arrayContaining(['account', 'account_closure', 'credential', 'refresh_token', 'audit_log', '_prisma_migrations']),
    );
  });

  it('records one finished row per folder with the checksum Prisma stores', async () => {
    const { rows } = await db.query<{ migration_name: string; checksum: string; finished: boolean; rolled_back: boolean }>(
      `SELECT migration_name, checksum, finished_at IS NOT NULL AS finished, rolled_back_at IS NOT NULL AS rolled_back
         FROM "${schema}"._prisma_migrations ORDER BY migration_name`,
    );
    const folders = await migrationFolders();
    expect(rows).toEqual(folders.map((f) => ({ migration_name: f.name, checksum: f.checksum, finished: true, rolled_back: false })));
  });

  it('applies nothing the second time', async () => {
    const { applied } = await applyMigrations({ databaseUrl, schema, migrationsDir });
    expect(applied).toEqual([]);
    const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${schema}"._prisma_migrations`);
    expect(rows[0]?.n).toBe((await migrationFolders()).length);
  });

  it('keeps audit_log append-only', async () => {
    const table = `"${schema}".audit_log`;
    await db.query(`INSERT INTO ${table} (action) VALUES ('test.insert')`);
    await expect(db.query(`UPDATE ${table} SET action = 'test.changed'`)).rejects.toThrow(/append-only/);
    await expect(db.query(`DELETE FROM ${table}`)).rejects.toThrow(/append-only/);
    await expect(db.query(`TRUNCATE ${table}`)).rejects.toThrow(/append-only/);
    const { rows } = await db.query<{ action: string }>(`SELECT action FROM ${table}`);
    expect(rows).toEqual([{ action: 'test.insert' }]);
  });

  it('lets only one of two concurrent runs apply', async () => {
    const folders = await migrationFolders();
    const runs = await Promise.all([
      applyMigrations({ databaseUrl, schema: raceSchema, migrationsDir }),
      applyMigrations({ databaseUrl, schema: raceSchema, migrationsDir }),
    ]);
    expect(runs.map((r) => r.applied.length).sort()).toEqual([0, folders.length]);
    const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${raceSchema}"._prisma_migrations`);
    expect(rows[0]?.n).toBe(folders.length);
  });
});
