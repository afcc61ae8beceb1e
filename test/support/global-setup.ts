import type { TestProject } from 'vitest/node';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import '../../libs/api/testing/src/provided-context.js';

/**
 * Medium and e2e specs need a PostgreSQL: the one in DATABASE_URL, or else an embedded one
 * started here for the whole run. Each spec file then makes its own fresh schema in it.
 * Redis-path specs run when REDIS_URL is set and are skipped otherwise.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  project.provide('redisUrl', process.env.REDIS_URL || null);
  if (process.env.DATABASE_URL) {
    project.provide('databaseUrl', process.env.DATABASE_URL);
    return async () => undefined;
  }
  const { startEmbeddedPostgres } = await import('../../libs/api/db/src/embedded/embedded-postgres.js');
  const dir = mkdtempSync(join(tmpdir(), 'tiergate-test-pg-'));
  const pg = await startEmbeddedPostgres({ dataDir: dir });
  project.provide('databaseUrl', pg.databaseUrl);
  return async () => {
    await pg.stop();
    rmSync(dir, { recursive: true, force: true });
  };
}
