#!/usr/bin/env node
// `exec` runs once per run for the run's whole life: it loads only the supervisor.
const entry = process.argv[2] === 'exec' ? '../dist/exec-main.js' : '../dist/main.js';
const { main } = await import(entry);
process.exitCode = await main(process.argv.slice(2));
