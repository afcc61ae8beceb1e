export * from './usage.module.js';
export * from './usage-reports.service.js';
export * from './usage.repository.js';
export * from './csv.js';
export * from './usage-range.js';
