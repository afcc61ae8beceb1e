import { Worker } from 'node:worker_threads';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** What the persister thread connects to and how it batches (plain data: it crosses to the thread). */
export interface PersisterThreadConfig {
  redisUrl: string;
  redisPrefix: string;
  databaseUrl: string;
  databaseSchema?: string;
  consumer: string;
  batchSize: number;
  lingerMs: number;
}

export interface PersisterThread {
  /** Asks the thread to finish the batch in hand and waits until it has closed its connections. */
  stop(): Promise<void>;
}

export interface PersisterThreadEvents {
  warn(message: string): void;
  /** The thread died (its events stay in the stream): the caller takes the work back. */
  failed(err: Error): void;
}

const STOP_TIMEOUT_MS = 10_000;

/**
 * Starts persister.worker in a worker thread. Built, it is the .js beside this file; run from
 * the TypeScript sources (tests, tsx), the thread registers tsx first so it can load the .ts.
 */
export function startPersisterThread(config: PersisterThreadConfig, events: PersisterThreadEvents): PersisterThread {
  const fromSource = import.meta.url.endsWith('.ts');
  const entry = new URL(`./persister.worker.${fromSource ? 'ts' : 'js'}`, import.meta.url);
  const worker = fromSource ? new Worker(tsxBootstrap(entry.href), { eval: true, workerData: config }) : new Worker(entry, { workerData: config });
  let stopping = false;
  let failed = false;
  // An uncaught error is followed by an exit: the caller hears of the failure once.
  const fail = (err: Error) => {
    if (stopping || failed) return;
    failed = true;
    events.failed(err);
  };
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  worker.on('message', (message: { warn?: string }) => {
    if (typeof message?.warn === 'string') events.warn(message.warn);
  });
  worker.on('error', fail);
  worker.once('exit', (code) => {
    if (code !== 0) fail(new Error(`persister thread exited with code ${code}`));
  });
  return {
    stop: async () => {
      stopping = true;
      worker.postMessage('stop');
      const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), STOP_TIMEOUT_MS).unref());
      if ((await Promise.race([exited, timeout])) === 'timeout') await worker.terminate();
    },
  };
}

/** A thread script that registers tsx's ESM loader, then imports the TypeScript entry. */
function tsxBootstrap(entryUrl: string): string {
  const require = createRequire(fileURLToPath(import.meta.url));
  const packageJson = require.resolve('tsx/package.json');
  const exportsMap = (JSON.parse(readFileSync(packageJson, 'utf8')) as { exports: Record<string, { import: { default: string } }> }).exports;
  const api = pathToFileURL(join(dirname(packageJson), exportsMap['./esm/api']!.import.default)).href;
  return `(async () => { const { register } = await import(${JSON.stringify(api)}); register(); await import(${JSON.stringify(entryUrl)}); })();`;
}
