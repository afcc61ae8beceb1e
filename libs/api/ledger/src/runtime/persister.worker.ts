/**
 * The usage persister in its own thread (Redis ledger only): drains the usage stream into
 * Postgres with its own Redis and pg connections, so parsing a batch of hundreds of events and
 * building its statement never stalls the relay's event loop. Started by startPersisterThread;
 * the message 'stop' ends it after the batch in hand. Imports nothing that needs Nest.
 */
import { Redis } from 'ioredis';
import pg from 'pg';
import { parentPort, workerData } from 'node:worker_threads';
import { RedisLedgerDriver } from '../drivers/redis-ledger.driver.js';
import { insertUsageBatch } from '../usage/usage-batch.js';
import { persistBatch, runPersistLoop } from './persist-loop.js';
import type { PersisterThreadConfig } from './persister-thread.js';

const config = workerData as PersisterThreadConfig;
const port = parentPort!;
let stopped = false;
port.on('message', (message: unknown) => {
  if (message === 'stop') stopped = true;
});
const warn = (message: string) => port.postMessage({ warn: message });

const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: 2, enableAutoPipelining: true });
// Reconnects are ioredis's job; the operator hears of the outage through the main thread's log.
redis.on('error', (err: Error) => warn(`persister thread: redis: ${err.message}`));
const ledger = new RedisLedgerDriver(redis, { prefix: config.redisPrefix });
const pool = new pg.Pool({
  connectionString: config.databaseUrl,
  max: 2,
  options: config.databaseSchema ? `-c search_path="${config.databaseSchema.replace(/"/g, '')}"` : undefined,
});
// An idle connection closed by the server is replaced on next use; unheard, it would end the thread.
pool.on('error', (err) => warn(`idle database connection lost: ${err.message}`));

const persistOnce = (blockMs: number) => persistBatch(ledger, (events) => insertUsageBatch(pool, events), { consumer: config.consumer, batchSize: config.batchSize, blockMs });

// Connections that do not work at start end the thread (uncaught), and the main thread, whose
// own connections do, persists instead.
await redis.ping();
await pool.query('SELECT 1');
await runPersistLoop(persistOnce, { batchSize: config.batchSize, lingerMs: config.lingerMs, stopped: () => stopped, warn });
await ledger.close();
await redis.quit().catch(() => undefined);
await pool.end().catch(() => undefined);
port.close();
