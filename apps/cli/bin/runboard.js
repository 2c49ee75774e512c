#!/usr/bin/env node
// `exec` (and `standby`, an exec waiting for its run) runs once per run for the run's whole
// life: it loads only the supervisor.
const supervisor = process.argv[2] === 'exec' || process.argv[2] === 'standby';
const entry = supervisor ? '../dist/exec-main.js' : '../dist/main.js';
const { main } = await import(entry);
process.exitCode = await main(process.argv.slice(2));
