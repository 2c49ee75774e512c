// Baseline for the supervisor benchmark: the least a Node process must do to run a job and
// keep its output — spawn it and append both streams to a file. No progress, no record.
// node minimal-tee.mjs LOG_FILE CMD [ARGS…]
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';

const [logFile, command, ...args] = process.argv.slice(2);
const log = createWriteStream(logFile, { flags: 'a' });
const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
child.stdout.pipe(log, { end: false });
child.stderr.pipe(log, { end: false });
child.on('exit', (code) => {
  process.exitCode = code ?? 1;
  log.end();
});
