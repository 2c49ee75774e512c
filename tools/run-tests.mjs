#!/usr/bin/env node
// `npm test`: runs every project's vitest suite through Nx (one project at a time: the
// multi-process tests need the cores), then prints the totals line CI reads.
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECTS } from './projects.mjs';

const root = join(import.meta.dirname, '..');
for (const project of PROJECTS) {
  rmSync(join(root, project, 'test-output', 'vitest-results.json'), { force: true });
}
const nx = spawnSync(
  'npx',
  [
    'nx',
    'run-many',
    '-t',
    'test',
    '--parallel=1',
    '--outputStyle=static',
    ...process.argv.slice(2),
  ],
  {
    cwd: root,
    stdio: 'inherit',
    env: { NX_DAEMON: 'false', NX_TUI: 'false', NX_NO_CLOUD: 'true', ...process.env },
  },
);
const summary = spawnSync(process.execPath, [join(import.meta.dirname, 'test-summary.mjs')], {
  cwd: root,
  stdio: 'inherit',
});
process.exitCode = nx.status !== 0 || summary.status !== 0 ? 1 : 0;
