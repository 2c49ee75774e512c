import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { readRecords, runboard, startRunboard, test } from './support/launch-cli.js';
import { writeRun } from './support/run-folders.js';

const attemptLine = (attempt: number) =>
  `[runboard] attempt ${attempt} of a/run starting on box at 2026-01-01T00:00:00.000Z (supervisor pid 9): ["x"]\n`;

describe('runboard logs', () => {
  test('prints the last lines, reaching into run.log.1, with a line where each attempt starts', async ({
    dir,
  }) => {
    const root = join(dir, 'logs');
    await writeRun(root, 'a/run', { status: 'failed', attempt: 2 });
    await writeFile(join(root, 'a/run/run.log.1'), `old 1\n${attemptLine(1)}old 2\n`);
    await writeFile(
      join(root, 'a/run/run.log'),
      `old 3\n[runboard] attempt 1 failed\n${attemptLine(2)}red \x1b[31mtext\x1b[0m\x1b]0;title\x07\nlast\n`,
    );
    const six = await runboard(['logs', 'a/run', '--root', root, '-n', '6']);
    expect(six).toMatchObject({ code: 0, stderr: '' });
    expect(six.stdout).toBe(
      `old 2\nold 3\n[runboard] attempt 1 failed\n— attempt 2 —\n${attemptLine(2)}red text\nlast\n`,
    );
    const all = await runboard(['logs', 'a/run', '--root', root]);
    expect(all.stdout.startsWith(`old 1\n— attempt 1 —\n${attemptLine(1)}old 2\n`)).toBe(true);
    const raw = await runboard(['logs', 'a/run', '--root', root, '--tail', '2', '--raw']);
    expect(raw.stdout).toBe('red \x1b[31mtext\x1b[0m\x1b]0;title\x07\nlast\n');
  });

  test('a missing run exits 1, an invalid id or --tail exits 2', async ({ dir }) => {
    const root = join(dir, 'logs');
    await mkdir(root, { recursive: true });
    const missing = await runboard(['logs', 'no/such', '--root', root]);
    expect(missing).toMatchObject({
      code: 1,
      stderr: `runboard logs: no run no/such under ${root}\n`,
    });
    expect((await runboard(['logs', '../escape', '--root', root])).code).toBe(2);
    expect((await runboard(['logs', 'a', '--root', root, '--tail', '-3'])).code).toBe(2);
  });

  test('-f follows a run across a retry and ends when it succeeded (exit 0)', async ({ dir }) => {
    const root = join(dir, 'logs');
    const flag = join(dir, 'failed-once');
    const plan = join(dir, 'plan.json');
    const script =
      `echo "working"; sleep 1; ` +
      `if [ -e ${flag} ]; then echo "all good"; else touch ${flag}; echo "boom" >&2; exit 3; fi`;
    await writeFile(
      plan,
      JSON.stringify({
        heartbeatSeconds: 1,
        retries: 1,
        runs: [{ id: 'a/run', command: ['sh', '-c', script] }],
      }),
    );
    const launcher = startRunboard(['launch', plan]);
    await expect
      .poll(async () => (await readRecords(root).catch(() => undefined))?.get('a/run')?.status, {
        timeout: 30_000,
      })
      .toBe('running');
    const follow = await runboard(['logs', 'a/run', '--root', root, '-f'], { timeoutMs: 45_000 });
    expect(follow.code, follow.stdout + follow.stderr).toBe(0);
    expect(follow.stderr).toBe('runboard logs: a/run succeeded\n');
    const output = follow.stdout;
    expect(output).toMatch(
      /^— attempt 1 —\n\[runboard\] attempt 1 of a\/run starting [^\n]*\nworking\nboom\n\[runboard\] attempt 1 failed: exited with code 3[^\n]*\n— attempt 2 —\n\[runboard\] attempt 2 of a\/run starting [^\n]*\nworking\nall good\n\[runboard\] attempt 2 succeeded[^\n]*\n$/,
    );
    expect((await launcher.result).code).toBe(0);
  });

  test('-f ends at once for a failed run with attempts left when no launcher is live to retry it', async ({
    dir,
  }) => {
    const root = join(dir, 'logs');
    await writeRun(root, 'a/run', {
      status: 'failed',
      attempt: 1,
      maxAttempts: 3,
      error: 'exited with code 3',
      finishedAt: new Date().toISOString(),
    });
    await writeFile(join(root, 'a/run/run.log'), `${attemptLine(1)}boom\n`);
    const began = Date.now();
    const follow = await runboard(['logs', 'a/run', '--root', root, '-f']);
    expect(follow).toMatchObject({
      code: 1,
      stdout: `— attempt 1 —\n${attemptLine(1)}boom\n`,
      stderr: 'runboard logs: a/run failed\n',
    });
    // Not the 10 s it would give a live launcher to retry it.
    expect(Date.now() - began).toBeLessThan(8000);
  });

  test('-f stops on Ctrl-C (exit 130) while the run goes on', async ({ dir }) => {
    const root = join(dir, 'logs');
    const plan = join(dir, 'plan.json');
    await writeFile(
      plan,
      JSON.stringify({
        heartbeatSeconds: 1,
        runs: [{ id: 'long', command: ['sh', '-c', 'echo started; sleep 30'] }],
      }),
    );
    const launcher = startRunboard(['launch', plan]);
    await expect
      .poll(async () => (await readRecords(root).catch(() => undefined))?.get('long')?.status, {
        timeout: 30_000,
      })
      .toBe('running');
    const follow = startRunboard(['logs', 'long', '--root', root, '-f']);
    await expect.poll(() => follow.output(), { timeout: 10_000 }).toContain('started\n');
    follow.child.kill('SIGINT');
    expect((await follow.result).code).toBe(130);
    expect((await readRecords(root)).get('long')?.status).toBe('running');
    launcher.child.kill('SIGKILL');
  });
});
