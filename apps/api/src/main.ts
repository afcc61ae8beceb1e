import 'reflect-metadata';
import { ConsoleLogger, Logger } from '@nestjs/common';
import { loadConfig } from '@tiergate/api-core';
import { DatabaseTarget, applyMigrations, registerShutdown, startEmbeddedPostgres } from '@tiergate/api-db';
import { join } from 'node:path';
import { createApp, logLevels } from './create-app.js';
import { seedDemo } from './demo/demo-seed.js';

/**
 * Start-up: the database (the given one, or an embedded Postgres in DATA_DIR), pending
 * migrations, then the HTTP app. Ctrl-C closes the app, then stops the embedded database.
 */
const stops: (() => Promise<void>)[] = [];

async function stopAll(): Promise<void> {
  for (const stop of stops.splice(0).reverse()) await stop().catch((err: unknown) => console.error(err));
}

async function main(): Promise<void> {
  Logger.overrideLogger(new ConsoleLogger({ json: process.env.LOG_FORMAT === 'json', logLevels: logLevels() }));
  const logger = new Logger('Tiergate');
  const config = loadConfig();
  registerShutdown(stopAll);

  let databaseUrl = config.databaseUrl;
  if (!databaseUrl) {
    const embedded = await startEmbeddedPostgres({ dataDir: join(config.dataDir, 'postgres'), log: (line) => logger.debug(line) });
    stops.push(embedded.stop);
    databaseUrl = embedded.databaseUrl;
    logger.log(`embedded PostgreSQL on port ${embedded.port}, data in ${join(config.dataDir, 'postgres')}`);
  }
  const database = new DatabaseTarget(databaseUrl, config.databaseSchema);
  const { applied } = await applyMigrations({ databaseUrl, schema: config.databaseSchema });
  if (applied.length > 0) logger.log(`applied migrations: ${applied.join(', ')}`);

  const app = await createApp(config, database);
  stops.push(() => app.close());
  if (process.env.DEMO_SEED === '1') {
    const upstream = await seedDemo(app);
    stops.push(() => upstream.close());
  }
  await app.listen({ port: config.port, host: config.host });
  logger.log(`listening on http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${config.port}`);
}

main().catch(async (err: unknown) => {
  console.error(err);
  // A failed start (port taken, bad migration) must not leave the embedded database running.
  await stopAll();
  process.exit(1);
});
