import 'reflect-metadata';
import type { LoggerService } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { loadConfig } from '@tiergate/api-core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { inject } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@tiergate/api-testing';
import { createApp } from '../../src/create-app.js';

export const MASTER_PASSWORD = 'master-password-for-tests';

export interface TestApp {
  app: NestFastifyApplication;
  baseUrl: string;
  db: TestDatabase;
  close(): Promise<void>;
}

async function dropRedisKeys(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url);
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) await redis.unlink(...keys);
  } while (cursor !== '0');
  await redis.quit();
}

/** The real app on a real port, over a fresh schema; env overrides tune limits per suite. */
export async function startTestApp(env: Record<string, string> = {}, opts: { logger?: LoggerService } = {}): Promise<TestApp> {
  const db = await createTestDatabase();
  const dataDir = mkdtempSync(join(tmpdir(), 'tiergate-e2e-'));
  const redisUrl = inject('redisUrl');
  const config = loadConfig({
    DATA_DIR: dataDir,
    DATABASE_URL: db.target.url,
    DATABASE_SCHEMA: db.target.schema,
    // Each app gets its own key space in the shared Redis, as two installations would.
    ...(redisUrl ? { REDIS_URL: redisUrl, REDIS_PREFIX: `{${db.target.schema}}` } : {}),
    MASTER_PASSWORD,
    LOGIN_ATTEMPTS_PER_IP: '100000',
    ...env,
  });
  const app = await createApp(config, db.target, { logger: opts.logger ?? (process.env.TEST_LOG ? undefined : false) });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    app,
    baseUrl: `http://127.0.0.1:${port}`,
    db,
    async close() {
      await app.close();
      if (redisUrl) await dropRedisKeys(redisUrl, `{${db.target.schema}}`);
      await db.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
