export * from './common/tiers.js';
export * from './common/pagination.js';
export * from './common/errors.js';
export * from './accounts/account.dto.js';
export * from './auth/auth.dto.js';
export * from './common/money.js';
export * from './ledger/ledger.dto.js';
export * from './pricing/pricing.dto.js';
