import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { readRecords, runboard, test } from './support/launch-cli.js';

async function writePlan(dir: string, plan: unknown): Promise<string> {
  const file = join(dir, 'plan.json');
  await writeFile(file, JSON.stringify(plan));
  return file;
}

describe('runboard launch', () => {
  test('an invalid plan exits 2 and lists every problem by JSON path', async ({ dir }) => {
    const plan = await writePlan(dir, {
      retries: -1,
      runs: [
        { id: 'a', command: ['true'] },
        { id: 'b', command: 3 },
        { id: 'a', command: 'true', dependsOn: ['nope'] },
      ],
    });
    const result = await runboard(['launch', plan]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`Invalid plan ${plan}`);
    expect(result.stderr).toContain('retries: too small: expected number to be >=0');
    expect(result.stderr).toContain('runs[1].command: expected array or string');
    expect(existsSync(join(dir, 'logs'))).toBe(false);
  });

  test('exit 2 for a missing plan, a bad --concurrency, or no plan argument', async ({ dir }) => {
    expect((await runboard(['launch', join(dir, 'missing.json')])).code).toBe(2);
    const plan = await writePlan(dir, { runs: [{ id: 'a', command: ['true'] }] });
    const bad = await runboard(['launch', plan, '--concurrency', '0']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/expected a positive integer/);
    expect((await runboard(['launch'])).code).toBe(2);
  });

  test('--dry-run prints ids, commands and GPUs and writes nothing', async ({ dir }) => {
    const plan = await writePlan(dir, {
      gpus: [0, 1],
      sweeps: [
        {
          id: 'cdd/{model}',
          command: ['python', 'train.py', '--model', '{model}'],
          matrix: { model: ['a', 'b', 'c'] },
        },
      ],
      runs: [{ id: 'report', command: 'echo "all done"', dependsOn: ['cdd/a'], gpus: 0 }],
    });
    const result = await runboard(['launch', plan, '--dry-run']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      '2 start now, 1 queued, 1 waiting for dependencies, 0 running, 0 skipped',
    );
    expect(result.stdout).toMatch(/start\s+cdd\/a\s+GPU 0\s+python train\.py --model a/);
    expect(result.stdout).toMatch(/start\s+cdd\/b\s+GPU 1\s+python train\.py --model b/);
    expect(result.stdout).toMatch(/queue\s+cdd\/c\s+python train\.py --model c/);
    expect(result.stdout).toMatch(/wait\s+report\s+echo "all done"\s+\(new, after cdd\/a\)/);
    expect(existsSync(join(dir, 'logs'))).toBe(false);
  });

  test('--dry-run places runs on a server pool without asking the servers', async ({ dir }) => {
    const plan = await writePlan(dir, {
      servers: [
        // Nothing listens there: a dry run connects to no server.
        { name: 'gpu-a', host: '127.0.0.9', gpus: [0, 1] },
        { name: 'gpu-b', host: '127.0.0.9', gpus: [0] },
      ],
      sweeps: [{ id: 'pool/{n}', command: ['train', '{n}'], matrix: { n: [1, 2, 3, 4] } }],
      runs: [{ id: 'pinned', command: ['eval'], servers: ['gpu-b'] }],
    });
    const result = await runboard(['launch', plan, '--dry-run']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('servers gpu-a, gpu-b');
    expect(result.stdout).toContain('3 start now, 2 queued');
    // Pinned where pinned; else the most free run slots first, each server's own GPUs.
    expect(result.stdout).toMatch(/start\s+pinned\s+gpu-b GPU 0\s+eval/);
    expect(result.stdout).toMatch(/start\s+pool\/1\s+gpu-a GPU 0\s+train 1/);
    expect(result.stdout).toMatch(/start\s+pool\/2\s+gpu-a GPU 1\s+train 2/);
    expect(result.stdout).toMatch(/queue\s+pool\/3\s+train 3/);
    expect(result.stdout).toMatch(/queue\s+pool\/4\s+train 4/);
    expect(existsSync(join(dir, 'logs'))).toBe(false);
  });

  test('runs a plan: exit 1 when a run fails; a relaunch starts nothing; --retry-failed runs it again; --root is relative to cwd', async ({
    dir,
  }) => {
    const flag = join(dir, 'fixed');
    const plan = await writePlan(dir, {
      heartbeatSeconds: 1,
      runs: [
        { id: 'ok', command: ['sh', '-c', 'echo hello'] },
        { id: 'flaky', command: `test -e ${flag}` },
      ],
    });
    const first = await runboard(['launch', plan, '--root', 'out'], { cwd: dir });
    expect(first.code, first.stdout + first.stderr).toBe(1);
    expect(first.stdout).toMatch(/started ok \(attempt 1\)/);
    expect(first.stdout).toMatch(/failed flaky \(attempt 1\).*exited with code 1/);
    expect(first.stdout).toMatch(/done: 1 succeeded, 1 failed of 2/);
    expect((await readRecords(join(dir, 'out'))).get('flaky')).toMatchObject({
      status: 'failed',
      attempt: 1,
    });

    const again = await runboard(['launch', plan, '--root', join(dir, 'out')]);
    expect(again.code).toBe(1);
    expect(again.stdout).not.toMatch(/started/);

    await writeFile(flag, '');
    const retried = await runboard(['launch', plan, '--root', join(dir, 'out'), '--retry-failed']);
    expect(retried.code, retried.stdout + retried.stderr).toBe(0);
    expect(retried.stdout).toMatch(/started flaky \(attempt 2\)/);
    expect((await readRecords(join(dir, 'out'))).get('flaky')).toMatchObject({
      status: 'succeeded',
      attempt: 2,
    });
  });
});
