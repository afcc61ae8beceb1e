export * from './common/tiers.js';
export * from './common/pagination.js';
export * from './common/errors.js';
export * from './accounts/account.dto.js';
export * from './auth/auth.dto.js';
