export * from './format.js';
export * from './plain-reporter.js';
export * from './tty-reporter.js';
