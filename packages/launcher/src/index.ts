export * from './run-folder/index.js';
export * from './supervisor/index.js';
export * from './progress/index.js';
export * from './plan/index.js';
export * from './launch/index.js';
