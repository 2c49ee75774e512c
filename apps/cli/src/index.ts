export { main, EXIT_USAGE } from './main.js';
export { createProgram } from './cli.js';
