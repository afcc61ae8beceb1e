export * from './api-error.js';
export * from './session.js';
export * from './http-client.js';
export * from './relay.js';
export * from './api-context.js';
export * from './query-keys.js';
export * from './hooks.js';
