// `pnpm db:migrate`: builds the db lib and applies pending migrations to DATABASE_URL through
// Prisma's wasm schema engine (see libs/api/db/src/migrations/migrator.ts).
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Runs a command from the repo root, exiting with its status when it fails. */
function run(command, args) {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });
  if (result.error) throw result.error;
  if (result.status !== 0) process.exit(result.status ?? 1);
}

run(path.join(root, 'node_modules', '.bin', 'tsc'), ['-b', 'libs/api/db/tsconfig.lib.json']);
run(process.execPath, [path.join(root, 'libs/api/db/dist/migrations/migrate.cli.js'), ...process.argv.slice(2)]);
