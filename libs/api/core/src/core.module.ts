import { type DynamicModule, Global, Module } from '@nestjs/common';
import { AppConfig } from './config/app-config.js';
import { InProcessRateLimiter } from './rate-limit/in-process-rate-limiter.js';
import { RateLimiter } from './rate-limit/rate-limiter.js';
import { RedisRateLimiter } from './rate-limit/redis-rate-limiter.js';
import { RedisConnection } from './redis/redis.provider.js';
import { InvalidationBus } from './invalidation/invalidation-bus.js';
import { BullMqJobRunner } from './jobs/bullmq-job-runner.js';
import { InProcessJobRunner } from './jobs/in-process-job-runner.js';
import { JobRunner } from './jobs/job-runner.js';

/** Config, the Redis connection and the drivers that depend on it — chosen here, once. */
@Global()
@Module({})
export class CoreModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: CoreModule,
      providers: [
        { provide: AppConfig, useValue: config },
        RedisConnection,
        InvalidationBus,
        {
          provide: RateLimiter,
          inject: [RedisConnection, AppConfig],
          useFactory: (redis: RedisConnection, config: AppConfig): RateLimiter =>
            redis.client ? new RedisRateLimiter(redis.client, `${config.redisPrefix}:rl:`) : new InProcessRateLimiter(),
        },
        {
          provide: JobRunner,
          inject: [AppConfig],
          useFactory: (config: AppConfig): JobRunner =>
            config.redisUrl ? new BullMqJobRunner(config.redisUrl, `${config.redisPrefix}:jobs`) : new InProcessJobRunner(),
        },
      ],
      exports: [AppConfig, RedisConnection, RateLimiter, InvalidationBus, JobRunner],
    };
  }
}
