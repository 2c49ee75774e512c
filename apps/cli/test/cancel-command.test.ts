import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { writeRun } from './support/run-folders.js';
import { readRecords, runboard, startRunboard, test } from './support/launch-cli.js';

/** Launches a plan of one 30 s run (heartbeat 1 s) and waits until it runs. */
async function launchOneRun(dir: string, id: string, planFields: Record<string, unknown> = {}) {
  const root = join(dir, 'logs');
  const plan = join(dir, 'plan.json');
  const runs = [{ id, command: ['sleep', '30'] }];
  await writeFile(plan, JSON.stringify({ heartbeatSeconds: 1, ...planFields, runs }));
  const launcher = startRunboard(['launch', plan]);
  await expect
    .poll(async () => (await readRecords(root).catch(() => undefined))?.get(id)?.status, {
      timeout: 30_000,
      message: 'the run to start',
    })
    .toBe('running');
  return { root, launcher };
}

describe('runboard cancel', () => {
  test('cancels a running run through control.json; the launcher does not retry it and exits 1', async ({
    dir,
  }) => {
    const { root, launcher } = await launchOneRun(dir, 'exp/long', { retries: 2 });

    const cancel = await runboard(['cancel', 'exp/long', '--root', root, '--wait', '20']);
    expect(cancel.code, cancel.stderr).toBe(0);
    expect(cancel.stdout).toBe('exp/long: cancel requested (running)\nexp/long: cancelled\n');
    const launched = await launcher.result;
    expect(launched.code, launched.stdout + launched.stderr).toBe(1);
    expect(launched.stdout).toMatch(/done: 0 succeeded, 1 cancelled of 1/);
    expect((await readRecords(root)).get('exp/long')).toMatchObject({
      status: 'cancelled',
      attempt: 1,
    });
  });

  test('a finished run is left alone; a missing run exits 1; an invalid id exits 2', async ({
    dir,
  }) => {
    const root = join(dir, 'logs');
    await writeRun(root, 'done/run', { status: 'succeeded', finishedAt: new Date().toISOString() });
    const done = await runboard(['cancel', 'done/run', '--root', root]);
    expect(done).toMatchObject({
      code: 0,
      stdout: 'done/run: already succeeded, nothing to cancel\n',
    });
    expect(existsSync(join(root, 'done', 'run', 'control.json'))).toBe(false);

    const missing = await runboard(['cancel', 'no/such', '--root', root]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no run no/such under');
    expect(existsSync(join(root, 'no'))).toBe(false);

    const invalid = await runboard(['cancel', '../escape', '--root', root]);
    expect(invalid.code).toBe(2);
    expect(invalid.stderr).toMatch(/Invalid run id/);
  });

  test('SIGINT stops the launcher (exit 130) and leaves the run running for the next launch', async ({
    dir,
  }) => {
    const { root, launcher } = await launchOneRun(dir, 'keeps-going');
    launcher.child.kill('SIGINT');
    const stopped = await launcher.result;
    expect(stopped.code, stopped.stdout + stopped.stderr).toBe(130);
    expect(stopped.stdout).toMatch(/stopping \(SIGINT\)/);
    const record = (await readRecords(root)).get('keeps-going')!;
    expect(record.status).toBe('running');
    expect(() => process.kill(record.supervisorPid!, 0)).not.toThrow();
  });
});
