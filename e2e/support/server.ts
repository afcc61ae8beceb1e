import { createTestDatabase, type TestDatabase } from '@tiergate/api-testing';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { inject } from 'vitest';

export const MASTER_PASSWORD = 'master-password-for-browser-e2e';
const ROOT = resolve(import.meta.dirname, '../..');

export interface StartedServer {
  baseUrl: string;
  output: () => string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

/**
 * `pnpm start` for real (scripts/start.mjs: builds the API and the consoles, then serves them) on
 * a free port, with the demo upstream and a fresh schema of the test database.
 */
export async function startServer(): Promise<StartedServer> {
  try {
    return await startOnce();
  } catch (err) {
    // One more try when the process died before listening (e.g. a port taken between the probe
    // and the bind); the first cause is printed, and a second failure fails the suite.
    console.error(`first start failed, trying once more: ${(err as Error).message.slice(0, 2000)}`);
    return startOnce();
  }
}

async function startOnce(): Promise<StartedServer> {
  const db: TestDatabase = await createTestDatabase();
  const dataDir = mkdtempSync(join(tmpdir(), 'tiergate-browser-'));
  const port = await freePort();
  const redisUrl = inject('redisUrl');
  const child: ChildProcess = spawn(process.execPath, ['scripts/start.mjs'], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      DATABASE_URL: db.target.url,
      DATABASE_SCHEMA: db.target.schema,
      ...(redisUrl ? { REDIS_URL: redisUrl, REDIS_PREFIX: `{${db.target.schema}}` } : { REDIS_URL: '' }),
      MASTER_PASSWORD,
      DEMO_SEED: '1',
      LOGIN_ATTEMPTS_PER_IP: '100000',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  let listening = false;
  const exited = new Promise<string>((r) => child.once('exit', (code, signal) => r(signal ? `signal ${signal}` : `code ${code}`)));
  await new Promise<void>((resolvePromise, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server did not start in time:\n${log.slice(-4000)}`));
    }, 540_000);
    const onData = (chunk: Buffer) => {
      log += chunk.toString();
      if (!listening && log.includes(`listening on http://127.0.0.1:${port}`)) {
        listening = true;
        clearTimeout(timer);
        resolvePromise();
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    void exited.then(async (how) => {
      if (listening) return;
      clearTimeout(timer);
      await db.drop().catch(() => undefined);
      rmSync(dataDir, { recursive: true, force: true });
      reject(new Error(`server exited (${how}):\n${log.slice(-4000)}`));
    });
  });
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    output: () => log,
    async stop() {
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
      await db.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
