export * from './chain-pricing.js';
export * from './catalog/price.mapper.js';
export * from './catalog/catalog.service.js';
export * from './price-lists/price-lists.service.js';
export * from './pricing.module.js';
export * from './chain/chain-prices.service.js';
