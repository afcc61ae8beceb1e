// Builds the three consoles with Vite, each only when its inputs changed since its last build
// (a hash of the sources is kept in dist/.build-hash), so a restart costs nothing.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CONSOLES = ['console-admin', 'console-agent', 'console-app'];
const SHARED = ['libs/web/api-client/src', 'libs/web/ui/src', 'libs/shared/contracts/src', 'pnpm-lock.yaml'];

function files(p) {
  const abs = path.join(root, p);
  if (!existsSync(abs)) return [];
  if (statSync(abs).isFile()) return [abs];
  return readdirSync(abs, { withFileTypes: true })
    .filter((e) => e.name !== 'node_modules' && e.name !== 'dist')
    .flatMap((e) => files(path.join(p, e.name)))
    .sort();
}

function inputsHash(app) {
  const hash = createHash('sha256');
  for (const f of [...SHARED, `apps/${app}/src`, `apps/${app}/index.html`, `apps/${app}/vite.config.ts`, `apps/${app}/package.json`].flatMap(files)) {
    hash.update(path.relative(root, f)).update('\0').update(readFileSync(f)).update('\0');
  }
  return hash.digest('hex');
}

export async function buildConsoles({ force = false } = {}) {
  let vite;
  for (const app of CONSOLES) {
    const dir = path.join(root, 'apps', app);
    const stamp = path.join(dir, 'dist/.build-hash');
    const hash = inputsHash(app);
    if (!force && existsSync(stamp) && readFileSync(stamp, 'utf8') === hash && existsSync(path.join(dir, 'dist/index.html'))) continue;
    vite ??= await import('vite');
    const started = Date.now();
    await vite.build({ configFile: path.join(dir, 'vite.config.ts'), root: dir });
    writeFileSync(stamp, hash);
    console.log(`built ${app} in ${((Date.now() - started) / 1000).toFixed(1)}s`);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await buildConsoles({ force: process.argv.includes('--force') });
}
