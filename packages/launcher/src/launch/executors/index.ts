export * from './executor.js';
export * from './exec-args.js';
export * from './local-executor.js';
