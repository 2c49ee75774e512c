export * from './plan-schema.js';
export * from './plan-problem.js';
export * from './plan-error.js';
export * from './expand-sweeps.js';
export * from './check-dependencies.js';
export * from './resolve-plan.js';
export * from './load-plan.js';
export * from './plan-json-schema.js';
