import { ConsoleLogger, type LogLevel, type LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { type AppConfig, requestIdOf } from '@tiergate/api-core';
import type { DatabaseTarget } from '@tiergate/api-db';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppModule } from './app.module.js';
import { registerConsoles } from './consoles/consoles.js';
import { setupOpenApi } from './docs/openapi.js';

export interface CreateAppOptions {
  logger?: LoggerService | false;
}

/** LOG_LEVEL=debug|verbose shows more; the default keeps start-up quiet. */
export function logLevels(): LogLevel[] {
  const all: LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];
  const wanted = (process.env.LOG_LEVEL ?? 'log') as LogLevel;
  return all.slice(0, Math.max(all.indexOf(wanted), 0) + 1);
}

/** Builds the whole HTTP app; main.ts and the e2e tests both use it, so tests run what ships. */
export async function createApp(config: AppConfig, database: DatabaseTarget, options: CreateAppOptions = {}): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    genReqId: requestIdOf,
    trustProxy: config.trustProxy,
    bodyLimit: 8 * 1024 * 1024,
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config, database), adapter, {
    logger: options.logger ?? new ConsoleLogger({ json: process.env.LOG_FORMAT === 'json', logLevels: logLevels() }),
    bufferLogs: false,
  });
  const fastify = app.getHttpAdapter().getInstance();
  fastify.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
    void reply.header('x-request-id', String(req.id));
  });

  setupOpenApi(app);
  await registerConsoles(fastify);
  await app.init();
  return app;
}
