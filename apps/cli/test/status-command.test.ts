import { join } from 'node:path';
import { testWithTempDir } from '@runboard/test-kit';
import { expect } from 'vitest';
import { runboard as runCli } from './support/launch-cli.js';
import { writeCorruptRun, writeRun } from './support/run-folders.js';

const test = testWithTempDir('runboard-status-');

/** Runs the built CLI; output goes to pipes, so the table is plain text. */
function runboard(args: string[], env: NodeJS.ProcessEnv = {}) {
  return runCli(args, { env, timeoutMs: 20_000 });
}

async function writeSweep(root: string): Promise<void> {
  const now = Date.now();
  await writeRun(
    root,
    'sweep/lr=0.1',
    { progress: { current: 30, total: 100, unit: 'epoch', etaSeconds: 700 } },
    now,
  );
  await writeRun(
    root,
    'sweep/lr=0.01',
    { status: 'succeeded', finishedAt: new Date(now).toISOString() },
    now,
  );
  await writeRun(
    root,
    'sweep/lr=1',
    { status: 'failed', exitCode: 1, error: 'CUDA out of memory' },
    now,
  );
  await writeRun(
    root,
    'eval/base',
    {
      status: 'queued',
      attempt: 0,
      startedAt: null,
      heartbeatAt: null,
      waiting: { reason: 'dependency', detail: 'sweep/lr=0.1' },
    },
    now,
  );
  await writeRun(
    root,
    'sweep/lr=0.5',
    { heartbeatAt: new Date(now - 10 * 60_000).toISOString() },
    now,
  );
  await writeCorruptRun(root, 'broken/run');
}

test('prints a table of every run: id, status with derived states, runtime, progress bar, ETA, why it waits, age', async ({
  dir: root,
}) => {
  await writeSweep(root);
  const { code, stdout, stderr } = await runboard(['status', '--root', root]);
  expect(stderr).toBe('');
  expect(code).toBe(0);
  const lines = stdout.split('\n');
  expect(lines[0]).toMatch(/^RUN +STATUS +PROGRESS +ETA +RUNTIME +REASON +UPDATED$/);
  const line = (id: string): string => lines.find((text) => text.startsWith(`${id} `)) ?? '';
  expect(line('sweep/lr=0.1')).toMatch(
    / running +█{6}░{14} +30% +30\/100 epoch +1[01]m \d\ds +1m 0\ds +\ds ago$/,
  );
  expect(line('sweep/lr=0.5')).toMatch(/ stalled \(running\) /);
  expect(line('sweep/lr=0.01')).toMatch(/ succeeded +█{20} 100% /);
  expect(line('eval/base')).toMatch(/ queued +░{20} +— /);
  expect(line('broken/run')).toMatch(/ unreadable /);
  // Errors follow their run's line.
  expect(lines[lines.indexOf(line('sweep/lr=1')) + 1]).toBe('  ↳ CUDA out of memory');
  // Sorted by id, then the totals.
  expect(
    lines
      .filter((text) => /^[a-z]/.test(text) && !text.startsWith('RUN'))
      .map((text) => text.split(' ')[0]),
  ).toEqual([
    'broken/run',
    'eval/base',
    'sweep/lr=0.01',
    'sweep/lr=0.1',
    'sweep/lr=0.5',
    'sweep/lr=1',
  ]);
  expect(stdout).toMatch(
    /\n6 runs, 1 running, 1 queued, 1 stalled, 1 failed, 1 unreadable, 1 succeeded {2}· {2}overall \d+% · ETA /,
  );
  expect(stdout).not.toContain('\u001b[');
});

test('--json prints every run view and the summary', async ({ dir: root }) => {
  await writeSweep(root);
  const { code, stdout } = await runboard(['status', '--root', root, '--json', '--sort', 'status']);
  expect(code).toBe(0);
  const status = JSON.parse(stdout) as {
    root: string;
    summary: { total: number; counts: Record<string, number> };
    runs: {
      id: string;
      status: string;
      storedStatus: string | null;
      readError: { code: string } | null;
    }[];
  };
  expect(status.summary.total).toBe(6);
  expect(status.summary.counts).toMatchObject({
    running: 1,
    stalled: 1,
    failed: 1,
    succeeded: 1,
    queued: 1,
    unreadable: 1,
  });
  expect(status.runs.map((run) => [run.id, run.status])).toEqual([
    ['sweep/lr=1', 'failed'],
    ['broken/run', 'unreadable'],
    ['sweep/lr=0.5', 'stalled'],
    ['sweep/lr=0.1', 'running'],
    ['eval/base', 'queued'],
    ['sweep/lr=0.01', 'succeeded'],
  ]);
  expect(status.runs.find((run) => run.id === 'sweep/lr=0.5')?.storedStatus).toBe('running');
  expect(status.runs.find((run) => run.id === 'broken/run')?.readError?.code).toMatch(/^RUNBOARD_/);
});

test('colours only when asked to', async ({ dir: root }) => {
  await writeRun(root, 'a', { status: 'failed' });
  expect(
    (await runboard(['status', '--root', root], { NO_COLOR: undefined, FORCE_COLOR: '1' })).stdout,
  ).toContain('\u001b[31mfailed');
});

test('an empty root says so; a missing root is an error', async ({ dir: root }) => {
  expect(await runboard(['status', '--root', root])).toEqual({
    code: 0,
    signal: null,
    stdout: 'No runs yet.\n',
    stderr: '',
  });
  const missing = await runboard(['status', '--root', join(root, 'nope')]);
  expect(missing.code).toBe(1);
  expect(missing.stderr).toMatch(/^runboard status: .*nope.* is not a readable folder\n$/);
  expect(missing.stderr).toBe(
    `runboard status: --root ${join(root, 'nope')} (it does not exist) is not a readable folder\n`,
  );
  expect((await runboard(['status', '--root', root, '--sort', 'size'])).code).toBe(2);
});

test('what a job wrote reaches the terminal without control characters', async ({ dir: root }) => {
  await writeRun(root, 'hostile/run', {
    status: 'failed',
    exitCode: 1,
    error: 'Traceback\x1b]0;you have been pwned\x07\x1b[2J\x9b3J\nKeyError: lr',
    progress: { current: 3, total: 10, unit: 'ep\x1b[31moch\x07', message: '\x1bc' },
  });
  const { code, stdout } = await runboard(['status', '--root', root]);
  expect(code).toBe(0);
  // eslint-disable-next-line no-control-regex
  expect(stdout).not.toMatch(/[\x00-\x09\x0b-\x1f\x7f-\x9f]/);
  expect(stdout).toContain(' 3/10 epoch ');
  expect(stdout).toContain('  ↳ Traceback KeyError: lr\n');
});
