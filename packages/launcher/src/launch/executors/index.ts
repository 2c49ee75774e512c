export * from './executor.js';
export * from './exec-args.js';
export * from './local-executor.js';
export * from './slurm/index.js';
export * from './ssh/index.js';
export * from './plan-executor.js';
export * from './start-unreached-error.js';
