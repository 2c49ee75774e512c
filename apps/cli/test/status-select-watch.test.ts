import { testWithTempDir } from '@runboard/test-kit';
import { expect } from 'vitest';
import { runboard as runCli, startRunboard } from './support/launch-cli.js';
import { writeRun } from './support/run-folders.js';

const test = testWithTempDir('runboard-status-');

function runboard(args: string[]) {
  return runCli(args, { timeoutMs: 20_000 });
}

/** The run ids of a table's rows, in order. */
function rowIds(table: string): string[] {
  return table
    .split('\n')
    .slice(1)
    .filter((line) => /^\S/.test(line) && !/^\d+ runs?,/.test(line) && !line.startsWith('('))
    .map((line) => line.split(' ')[0]);
}

async function writeRuns(root: string): Promise<void> {
  await writeRun(root, 'sweep/lr=0.1', { gpus: [0], attempt: 2, maxAttempts: 3 });
  await writeRun(root, 'sweep/lr=1', {
    status: 'failed',
    exitCode: 127,
    error: 'exited with code 127 (command not found)',
    errorTail: ['starting', 'sh: 1: pyhton: not found'],
    finishedAt: new Date().toISOString(),
  });
  await writeRun(root, 'sweep/deep/a', {
    status: 'queued',
    attempt: 0,
    startedAt: null,
    heartbeatAt: null,
    waiting: { reason: 'gpu-slot' },
  });
  await writeRun(root, 'eval/base', { status: 'succeeded', finishedAt: new Date().toISOString() });
}

test('a glob, a folder and --status select the runs shown; the footer says how many', async ({
  dir: root,
}) => {
  await writeRuns(root);
  const glob = await runboard(['status', '--root', root, 'sweep/*']);
  expect(glob.code, glob.stderr).toBe(0);
  expect(rowIds(glob.stdout)).toEqual(['sweep/deep/a', 'sweep/lr=0.1', 'sweep/lr=1']);
  expect(glob.stdout).toMatch(/\n\(3 of 4 runs shown\)\n$/);

  const statuses = await runboard(['status', '--root', root, '--status', 'failed,queued']);
  expect(rowIds(statuses.stdout)).toEqual(['sweep/deep/a', 'sweep/lr=1']);
  const both = await runboard(['status', '--root', root, 'sweep/lr=*', '--status', 'running']);
  expect(rowIds(both.stdout)).toEqual(['sweep/lr=0.1']);

  const json = await runboard(['status', '--root', root, 'eval', '--json']);
  expect((JSON.parse(json.stdout) as { runs: { id: string }[] }).runs.map((run) => run.id)).toEqual(
    ['eval/base'],
  );

  const typo = await runboard(['status', '--root', root, 'swep/*']);
  expect(typo).toMatchObject({ code: 1, stderr: 'runboard status: no run matches swep/*\n' });
  expect(typo.stdout).toBe('No runs match (4 under the root).\n');
  expect((await runboard(['status', '--root', root, '--status', 'done'])).code).toBe(2);
});

test('columns: attempt, runtime, GPUs, and why a queued run waits', async ({ dir: root }) => {
  await writeRuns(root);
  const { stdout } = await runboard(['status', '--root', root]);
  const lines = stdout.split('\n');
  expect(lines[0]).toMatch(
    /^RUN +STATUS +ATTEMPT +PROGRESS +ETA +RUNTIME +WHERE +REASON +UPDATED$/,
  );
  const line = (id: string) => lines.find((text) => text.startsWith(`${id} `)) ?? '';
  expect(line('sweep/lr=0.1')).toMatch(
    / running +2\/3 +░{20} +— +— +1m 0\ds +gpu-node-7 GPU 0 +(now|\ds ago)$/,
  );
  // No launcher is live on this root: that is why it waits, whatever reason it stored.
  expect(line('sweep/deep/a')).toMatch(
    / queued +░{20} +— +— +— +no launcher is running +(now|\ds ago)$/,
  );
});

test('one run by its id: its error and the last lines of its output; -v does it for every failed run', async ({
  dir: root,
}) => {
  await writeRuns(root);
  const one = await runboard(['status', '--root', root, 'sweep/lr=1']);
  expect(one.code).toBe(0);
  expect(one.stdout).toContain(
    '  ↳ exited with code 127 (command not found)\n    starting\n    sh: 1: pyhton: not found\n',
  );
  const all = await runboard(['status', '--root', root]);
  expect(all.stdout).toContain('  ↳ exited with code 127 (command not found)\n\n');
  expect((await runboard(['status', '--root', root, '-v'])).stdout).toContain(
    '    sh: 1: pyhton: not found\n',
  );
});

test('--watch without a terminal prints the table again and again, plainly, until Ctrl-C', async ({
  dir: root,
}) => {
  await writeRun(root, 'a', { progress: { current: 1, total: 4 } });
  const watch = startRunboard(['status', '--root', root, '--watch', '0.2'], { timeoutMs: 20_000 });
  const frames = () => watch.output().split(/^every 0\.2s: runboard status /m).length - 1;
  await expect.poll(frames, { timeout: 10_000 }).toBeGreaterThanOrEqual(2);
  await writeRun(root, 'a', { progress: { current: 3, total: 4 } });
  await expect.poll(() => watch.output(), { timeout: 10_000 }).toMatch(/ 75% +3\/4 /);
  watch.child.kill('SIGINT');
  const result = await watch.result;
  expect(result.code).toBe(0);
  expect(result.stderr).toBe('');
  expect(result.stdout).not.toContain('\u001b');
  for (const frame of result.stdout.split(/^every 0\.2s: runboard status /m).slice(1))
    expect(frame).toMatch(/^\S+ {2}\d\d:\d\d:\d\d\n\nRUN +STATUS[^]*\n1 run, 1 running[^\n]*\n\n$/);
});
