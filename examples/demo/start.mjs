#!/usr/bin/env node
// `npm start`: the launcher and the dashboard side by side over one folder of runs, as
// researchers run them — two separate processes, one writing run records, one reading them.
// Ctrl-C stops both, and cancels the demo runs that are still going.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';

const demoDir = import.meta.dirname;
const runboard = join(demoDir, '..', '..', 'apps', 'cli', 'bin', 'runboard.js');
const root = join(demoDir, 'runs');
const port = process.env.PORT ?? '8787';
const token = randomBytes(16).toString('hex');

rmSync(root, { recursive: true, force: true });
console.log(`runboard demo: run folders in ${root} (emptied at each start)`);

const dashboard = spawn(
  process.execPath,
  [runboard, 'dashboard', '--root', root, '--port', port, '--create'],
  // In the environment, not the arguments: `ps` shows arguments to every user.
  { stdio: 'inherit', env: { ...process.env, RUNBOARD_TOKEN: token } },
);
const launcher = spawn(
  process.execPath,
  [runboard, 'launch', join(demoDir, 'plan.json'), '--root', root],
  {
    stdio: 'inherit',
  },
);

let stopping = false;
launcher.on('exit', (code, signal) => {
  if (stopping) return;
  console.log(
    `\nlauncher finished (exit ${code ?? signal}; broken/bad_config fails on purpose). ` +
      'The dashboard keeps serving: press Ctrl-C to stop it.',
  );
});
dashboard.on('exit', (code) => {
  if (stopping) return;
  console.error(
    `dashboard exited (code ${code}); is port ${port} free? Set PORT=… to use another.`,
  );
  stop();
});

function stop() {
  if (stopping) return;
  stopping = true;
  for (const child of [launcher, dashboard]) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  }
  cancelUnfinishedRuns();
}

function cancelUnfinishedRuns() {
  const status = spawnSync(process.execPath, [runboard, 'status', '--root', root, '--json'], {
    encoding: 'utf8',
  });
  if (status.status !== 0) return;
  const { runs = [] } = JSON.parse(status.stdout);
  for (const run of runs) {
    if (
      ['queued', 'starting', 'running', 'stalled', 'stuck'].includes(
        run.status ?? run.displayStatus,
      )
    ) {
      spawnSync(process.execPath, [runboard, 'cancel', run.id, '--root', root], {
        stdio: 'inherit',
      });
    }
  }
}

process.on('SIGINT', stop);
process.on('SIGTERM', stop);
