// `pnpm db:migration:new <name>`: writes prisma/migrations/<UTC timestamp>_<name>/migration.sql with the
// SQL from the existing migrations to schema.prisma. Review and edit it before committing.
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { POSTGRES_LOCKFILE, diffMigrationSql, locatePrisma } from './migrator.js';

/** Prisma's folder convention: YYYYMMDDHHMMSS in UTC, then the name. */
function timestamp(now = new Date()): string {
  return now.toISOString().replace(/\D/g, '').slice(0, 14);
}

const name = (process.argv[2] ?? '')
  .toLowerCase()
  .replace(/[^a-z0-9]+/g, '_')
  .replace(/^_+|_+$/g, '');

try {
  if (!name) throw new Error('usage: new-migration <name>   (e.g. add_invoice_table)');
  const { migrationsDir, schemaPath, root } = locatePrisma();
  const sql = await diffMigrationSql({ migrationsDir, schemaPath });
  if (!sql) {
    console.log('no changes');
  } else {
    const dir = path.join(migrationsDir, `${timestamp()}_${name}`);
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, 'migration.sql'), sql, { flag: 'wx' });
    // Prisma writes the lockfile with the first migration; the engine wants it to diff later ones.
    const lockfile = path.join(migrationsDir, 'migration_lock.toml');
    if (!existsSync(lockfile)) await writeFile(lockfile, POSTGRES_LOCKFILE);
    console.log(`wrote ${path.relative(root, path.join(dir, 'migration.sql'))}`);
  }
} catch (err) {
  console.error(err);
  process.exitCode = 1;
}
