import { Module } from '@nestjs/common';
import { AccountsModule } from '@tiergate/api-accounts';
import { AppConfig, RedisConnection } from '@tiergate/api-core';
import { DatabaseTarget, PrismaService } from '@tiergate/api-db';
import { join } from 'node:path';
import { RedemptionController } from './codes/redemption.controller.js';
import { RedemptionService } from './codes/redemption.service.js';
import { InProcessLedgerDriver } from './drivers/in-process-ledger.driver.js';
import { RedisLedgerDriver } from './drivers/redis-ledger.driver.js';
import { GrantsService } from './grants/grants.service.js';
import { LedgerDriver } from './ledger.types.js';
import { KeyQuotaController } from './rules/key-quota.controller.js';
import { KeyQuotaService } from './rules/key-quota.service.js';
import { QuotaController } from './rules/quota.controller.js';
import { QuotaRulesRepository } from './rules/quota-rules.repository.js';
import { QuotaService } from './rules/quota.service.js';
import { LedgerRuntime } from './runtime/ledger-runtime.service.js';
import { UsageRepository } from './usage/usage.repository.js';

@Module({
  imports: [AccountsModule],
  controllers: [QuotaController, KeyQuotaController, RedemptionController],
  providers: [
    // The one place the driver is chosen: Redis across replicas, in-process (journaled in DATA_DIR) on one node.
    {
      provide: LedgerDriver,
      inject: [RedisConnection, AppConfig],
      useFactory: (redis: RedisConnection, config: AppConfig): LedgerDriver =>
        redis.client
          ? new RedisLedgerDriver(redis.client, { prefix: config.redisPrefix, connections: config.ledgerConnections })
          : new InProcessLedgerDriver({ journalDir: join(config.dataDir, 'ledger') }),
    },
    {
      provide: LedgerRuntime,
      inject: [LedgerDriver, UsageRepository, PrismaService, RedisConnection, AppConfig, DatabaseTarget],
      useFactory: (ledger: LedgerDriver, usage: UsageRepository, prisma: PrismaService, redis: RedisConnection, config: AppConfig, database: DatabaseTarget) =>
        new LedgerRuntime(ledger, usage, prisma, {
          background: true,
          reapEveryMs: 5_000,
          batchSize: 500,
          lingerMs: 100,
          singleNode: !redis.client,
          // With Redis the persister gets its own thread, so a batch never stalls the relay.
          persisterThread:
            redis.client && config.redisUrl ? { redisUrl: config.redisUrl, redisPrefix: config.redisPrefix, databaseUrl: database.url, databaseSchema: database.schema } : undefined,
        }),
    },
    QuotaRulesRepository,
    QuotaService,
    KeyQuotaService,
    GrantsService,
    RedemptionService,
    UsageRepository,
  ],
  exports: [LedgerDriver, LedgerRuntime, QuotaService, GrantsService, QuotaRulesRepository, UsageRepository],
})
export class LedgerModule {}
