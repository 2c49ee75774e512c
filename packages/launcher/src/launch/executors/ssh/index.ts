export * from './ssh-executor.js';
export * from './ssh-errors.js';
export * from './ssh-connection.js';
export * from './server-probe.js';
export * from './server-pool-file.js';
