// `npm run bench` in @runboard/launcher: every launcher benchmark, one after the other.
// Each bench/<name>.ts exports a function that runs it and returns a Markdown table.
import { cpus } from 'node:os';
import { runLaunchBench } from './launch.js';
import { runSupervisorBench } from './supervisor.js';

const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}`;
console.log(`Machine: ${machine}\n`);

console.log('## Supervisor (runboard exec)\n');
console.log(await runSupervisorBench());
// The launcher's benchmarks (bench/launch.ts …) go below.

console.log('## Launcher (runboard launch)\n');
console.log(await runLaunchBench());
console.log(`## Slurm executor\n\n${await (await import('./slurm.js')).runSlurmBench()}`);
console.log(`## SSH server pool\n\n${await (await import('./ssh.js')).runSshBench()}`);
