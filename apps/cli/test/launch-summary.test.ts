import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { runboard, test } from './support/launch-cli.js';

async function writePlan(dir: string, command: string): Promise<string> {
  const file = join(dir, 'plan.json');
  await writeFile(
    file,
    JSON.stringify({
      heartbeatSeconds: 1,
      runs: [
        { id: 'ok', command: ['true'] },
        { id: 'sweep/bad', command: ['sh', '-c', command] },
      ],
    }),
  );
  return file;
}

describe('the end of a launch and a relaunch say why runs failed and what would run them', () => {
  test('the summary names the failed runs with why and their last output lines; a relaunch says --retry-failed would run them, and when their command changed', async ({
    dir,
  }) => {
    const failing =
      'echo working; echo "Traceback (most recent call last):" >&2; echo "KeyError: lr" >&2; exit 3';
    const plan = await writePlan(dir, failing);
    const root = join(dir, 'logs');
    const first = await runboard(['launch', plan]);
    expect(first.code, first.stdout + first.stderr).toBe(1);
    expect(first.stdout).toMatch(/done: 1 succeeded, 1 failed of 2 in \S+\n/);
    expect(first.stdout.slice(first.stdout.indexOf('failed (1):'))).toBe(
      [
        'failed (1):',
        '  sweep/bad (attempt 1): exited with code 3',
        '      working',
        '      Traceback (most recent call last):',
        '      KeyError: lr',
        `the whole output: runboard logs sweep/bad --root ${root}`,
        '',
      ].join('\n'),
    );

    const again = await runboard(['launch', plan]);
    expect(again.code).toBe(1);
    expect(again.stdout).toContain(
      'skipped sweep/bad (failed, attempt 1: exited with code 3): use --retry-failed to run it again\n',
    );
    expect(again.stdout).not.toMatch(/skipped ok|started/);

    const fixed = await writePlan(dir, 'echo fixed');
    const changed = await runboard(['launch', fixed]);
    expect(changed.stdout).toContain(
      'skipped sweep/bad (failed, attempt 1: exited with code 3): its command changed since it ran; use --retry-failed to run it again\n',
    );
    const retried = await runboard(['launch', fixed, '--retry-failed']);
    expect(retried.code, retried.stdout).toBe(0);
    expect(retried.stdout).not.toContain('failed (');
  });
});
