import './provided-context.js';
export * from './test-database.js';
