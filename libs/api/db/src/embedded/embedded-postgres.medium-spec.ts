import { mkdtemp, readdir, readFile, readlink, realpath, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { startEmbeddedPostgres } from './embedded-postgres.js';

/** Pids of processes belonging to the cluster: postgres chdirs into its data dir, and -D names it. */
async function postgresPidsFor(pgdata: string): Promise<number[]> {
  const real = await realpath(pgdata);
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    const cwd = await readlink(`/proc/${entry}/cwd`).catch(() => '');
    if (cwd === real || cmdline.split('\0').includes(real)) pids.push(Number(entry));
  }
  return pids;
}

async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

describe('startEmbeddedPostgres', () => {
  it(
    'initialises a cluster, keeps its data across restarts and leaves no process behind',
    async () => {
      const dataDir = await mkdtemp(path.join(os.tmpdir(), 'tiergate-embedded-pg-'));
      const pgdata = path.join(dataDir, 'postgres');
      try {
        const first = await startEmbeddedPostgres({ dataDir });
        try {
          expect(first.databaseUrl).toBe(
            `postgresql://postgres:${(await readFile(path.join(dataDir, 'postgres.password'), 'utf8')).trim()}@127.0.0.1:${first.port}/tiergate`,
          );
          expect(await query(first.databaseUrl, 'select 1 as one')).toEqual([{ one: 1 }]);
          await query(first.databaseUrl, "create table survives_restart (note text); insert into survives_restart values ('kept')");
        } finally {
          await first.stop();
        }
        expect(await postgresPidsFor(pgdata)).toEqual([]);

        // A postmaster.pid naming a dead process (as after kill -9) must not block the next start.
        await writeFile(path.join(pgdata, 'postmaster.pid'), `${2 ** 22 - 1}\n${pgdata}\n`);

        const second = await startEmbeddedPostgres({ dataDir });
        try {
          // The remembered port is reused when it is still free.
          expect(second.port).toBe(first.port);
          expect(await query(second.databaseUrl, 'select note from survives_restart')).toEqual([{ note: 'kept' }]);
        } finally {
          await second.stop();
        }
        // stop() is idempotent.
        await second.stop();
        expect(await postgresPidsFor(pgdata)).toEqual([]);
      } finally {
        await rm(dataDir, { recursive: true, force: true });
      }
    },
    120_000,
  );
});
