import { Module } from '@nestjs/common';
import { AccountsModule } from '@tiergate/api-accounts';
import { AppConfig } from '@tiergate/api-core';
import { ChannelsController } from './channels/channels.controller.js';
import { ChannelsRepository } from './channels/channels.repository.js';
import { ChannelsService } from './channels/channels.service.js';
import { KeyVault } from './channels/key-vault.js';
import { ChannelHealth } from './health/channel-health.service.js';
import { RateLimitsController } from './limits/rate-limits.controller.js';
import { RateLimitsService } from './limits/rate-limits.service.js';
import { ApiKeyAuthenticator } from './keys/api-key-authenticator.js';
import { ApiKeysController } from './keys/api-keys.controller.js';
import { ApiKeysRepository } from './keys/api-keys.repository.js';
import { ApiKeysService } from './keys/api-keys.service.js';

@Module({
  imports: [AccountsModule],
  controllers: [ApiKeysController, ChannelsController, RateLimitsController],
  providers: [
    { provide: KeyVault, inject: [AppConfig], useFactory: (config: AppConfig) => new KeyVault(config.secretKey) },
    ApiKeysRepository,
    ApiKeysService,
    ApiKeyAuthenticator,
    ChannelsRepository,
    ChannelsService,
    ChannelHealth,
    RateLimitsService,
  ],
  exports: [ApiKeysService, ApiKeyAuthenticator, ChannelsService, ChannelsRepository, KeyVault, ChannelHealth],
})
export class GatewayModule {}
