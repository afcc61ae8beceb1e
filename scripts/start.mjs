// `pnpm start`: compiles what changed (API incrementally, consoles when their sources changed), then runs the API in this same process so
// Ctrl-C reaches its shutdown directly (the embedded Postgres stops with it).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
process.chdir(root);

if (!existsSync(path.join(root, 'libs/api/db/src/generated/prisma/client.ts'))) {
  const gen = spawnSync(process.execPath, ['scripts/db/generate-client.mjs'], { stdio: 'inherit' });
  if (gen.status !== 0) process.exit(gen.status ?? 1);
}
const build = spawnSync(path.join(root, 'node_modules/.bin/tsc'), ['-b', 'apps/api/tsconfig.app.json'], { stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);
// The consoles (Vite), each rebuilt only when its sources changed.
const { buildConsoles } = await import('./build-consoles.mjs');
await buildConsoles();

await import(pathToFileURL(path.join(root, 'apps/api/dist/main.js')).href);
