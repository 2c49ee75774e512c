export * from './run-status.js';
export * from './run-files.js';
export * from './run-record.js';
export * from './run-id.js';
export * from './derived-state.js';
export * from './process-alive.js';
export * from './control-request.js';
export * from './json-schema.js';
