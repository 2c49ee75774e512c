export * from './errors.js';
export * from './run-index/index.js';
export * from './run-files/index.js';
export * from './resources/index.js';
export * from './http/index.js';
export * from './server/index.js';
