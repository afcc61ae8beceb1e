import type { LedgerDriver, UsageEvent } from '../ledger.types.js';

/**
 * The persister's loop, the same whether it runs on the main thread (single node, tests) or in
 * its own thread: read a batch, write it, ack it; linger after a short batch so that under load
 * events go to Postgres hundreds at a time; back off while Postgres or Redis is down (the events
 * stay in the stream, unacked, and are read again).
 */
export interface PersistLoopOptions {
  batchSize: number;
  lingerMs: number;
  stopped(): boolean;
  warn(message: string): void;
}

/** `step(blockMs)` persists one batch and returns how many events it held. */
export async function runPersistLoop(step: (blockMs: number) => Promise<number>, opts: PersistLoopOptions): Promise<void> {
  let backoff = 100;
  while (!opts.stopped()) {
    try {
      const persisted = await step(500);
      backoff = 100;
      if (opts.lingerMs > 0 && persisted > 0 && persisted < opts.batchSize && !opts.stopped()) await sleep(opts.lingerMs);
    } catch (err) {
      opts.warn(`persister: ${String(err)}; retrying in ${backoff} ms`);
      await sleep(backoff);
      backoff = Math.min(backoff * 2, 10_000);
    }
  }
}

/**
 * One batch: read it from the usage stream, write it, then ack it — after the write, so events
 * of a batch that failed are read again. Returns how many events it held.
 */
export async function persistBatch(
  ledger: Pick<LedgerDriver, 'readEvents' | 'ack'>,
  write: (events: UsageEvent[]) => Promise<void>,
  read: { consumer: string; batchSize: number; blockMs: number },
): Promise<number> {
  const entries = await ledger.readEvents(read.consumer, read.batchSize, read.blockMs);
  if (entries.length === 0) return 0;
  await write(entries.map((e) => e.event));
  await ledger.ack(entries.map((e) => e.id));
  return entries.length;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
