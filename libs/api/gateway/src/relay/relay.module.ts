import { Module } from '@nestjs/common';
import { AccountsModule } from '@tiergate/api-accounts';
import { LedgerModule } from '@tiergate/api-ledger';
import { PricingModule } from '@tiergate/api-pricing';
import { AppConfig, RedisConnection } from '@tiergate/api-core';
import { GatewayModule } from '../gateway.module.js';
import { InProcessTrafficLimiter } from '../limits/in-process-traffic-limiter.js';
import { RedisTrafficLimiter } from '../limits/redis-traffic-limiter.js';
import { TrafficLimiter } from '../limits/traffic-limiter.js';
import { ChainQuoter } from './chain-quoter.js';
import { DbRelayChannelSource } from './db-relay-channel-source.js';
import { AnthropicController } from './anthropic.controller.js';
import { GeminiController } from './gemini.controller.js';
import { OpenAiController } from './openai.controller.js';
import { RelayChannelSource } from './relay-channel.js';
import { RelayService } from './relay.service.js';

/** The relay surfaces and pipeline, on top of keys and channels (gateway), ledger and pricing. */
@Module({
  imports: [AccountsModule, LedgerModule, PricingModule, GatewayModule],
  controllers: [OpenAiController, AnthropicController, GeminiController],
  providers: [
    ChainQuoter,
    RelayService,
    { provide: RelayChannelSource, useClass: DbRelayChannelSource },
    {
      provide: TrafficLimiter,
      inject: [RedisConnection, AppConfig],
      useFactory: (redis: RedisConnection, config: AppConfig): TrafficLimiter =>
        redis.client ? new RedisTrafficLimiter(redis.client, `${config.redisPrefix}:tl:`) : new InProcessTrafficLimiter(),
    },
  ],
  exports: [RelayService, ChainQuoter, RelayChannelSource],
})
export class RelayModule {}
