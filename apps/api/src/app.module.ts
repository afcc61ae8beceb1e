import { type DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_PIPE } from '@nestjs/core';
import { AccountsModule } from '@tiergate/api-accounts';
import { AccessGuard, AllExceptionsFilter, AppConfig, CoreModule, createValidationPipe } from '@tiergate/api-core';
import { DatabaseTarget, DbModule } from '@tiergate/api-db';
import { GatewayModule, RelayModule } from '@tiergate/api-gateway';
import { LedgerModule } from '@tiergate/api-ledger';
import { PricingModule } from '@tiergate/api-pricing';
import { UsageModule } from '@tiergate/api-usage';
import { HealthController } from './health/health.controller.js';

/** Composition root: wires the libs; no logic lives here. */
@Module({})
export class AppModule {
  static forRoot(config: AppConfig, database: DatabaseTarget): DynamicModule {
    return {
      module: AppModule,
      imports: [CoreModule.forRoot(config), DbModule.forRoot(database), AccountsModule, LedgerModule, PricingModule, GatewayModule, RelayModule, UsageModule],
      controllers: [HealthController],
      providers: [
        { provide: APP_GUARD, useClass: AccessGuard },
        { provide: APP_FILTER, useClass: AllExceptionsFilter },
        { provide: APP_PIPE, useFactory: createValidationPipe },
      ],
    };
  }
}
