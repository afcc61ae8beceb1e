import { Module } from '@nestjs/common';
import { JwtModule } from '@nestjs/jwt';
import { PassportModule } from '@nestjs/passport';
import { ActorGate, AppConfig, JwtStrategy } from '@tiergate/api-core';
import { AccessService } from './access/access.service.js';
import { AccountsController } from './accounts/accounts.controller.js';
import { AccountsRepository } from './accounts/accounts.repository.js';
import { AccountsService } from './accounts/accounts.service.js';
import { AuditController } from './audit/audit.controller.js';
import { AuditRepository } from './audit/audit.repository.js';
import { AccountActorGate } from './auth/account-actor-gate.js';
import { AuthController } from './auth/auth.controller.js';
import { AuthService } from './auth/auth.service.js';
import { LoginThrottle } from './auth/login-throttle.js';
import { RefreshTokenRepository } from './auth/refresh-token.repository.js';
import { MasterBootstrapService } from './bootstrap/master-bootstrap.service.js';
import { PasswordHasher } from './credentials/password-hasher.js';
import { TreeRepository } from './tree/tree.repository.js';

@Module({
  imports: [
    PassportModule,
    JwtModule.registerAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({ secret: config.jwtSecret }),
    }),
  ],
  controllers: [AuthController, AccountsController, AuditController],
  providers: [
    TreeRepository,
    AccountsRepository,
    RefreshTokenRepository,
    AuditRepository,
    AccessService,
    AccountsService,
    AuthService,
    LoginThrottle,
    PasswordHasher,
    MasterBootstrapService,
    { provide: ActorGate, useClass: AccountActorGate },
    JwtStrategy,
  ],
  exports: [AccessService, TreeRepository, AuditRepository, AccountsService, ActorGate, MasterBootstrapService],
})
export class AccountsModule {}
