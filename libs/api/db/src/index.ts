export * from './prisma.service.js';
export * from './db.module.js';
export { applyMigrations, diffMigrationSql, locatePrisma } from './migrations/migrator.js';
export { startEmbeddedPostgres, registerShutdown } from './embedded/embedded-postgres.js';
export type { EmbeddedPostgresHandle } from './embedded/embedded-postgres.js';
export { Prisma } from './generated/prisma/client.js';
export type {
  Account,
  AccountClosure,
  Credential,
  RefreshToken,
  AuditLog,
  QuotaRule,
  ApiKeyQuotaRule,
  Grant,
  RedemptionCode,
  ModelPrice,
  PriceList,
  PriceOverride,
  UsageRecord,
  UsageCharge,
  ApiKey,
  Channel,
  ChannelKey,
  ChannelEvent,
} from './generated/prisma/client.js';
export type { AccountKind, AccountStatus, ApiKeyStatus, ChannelStatus } from './generated/prisma/enums.js';
