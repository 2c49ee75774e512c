import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { nodeJob, readLog, readRecord, test } from './supervisor-helpers.js';

describe('superviseRun: how the job ends', () => {
  test('a failing job is recorded failed with its exit code', async ({ runDir, supervise }) => {
    const result = await supervise({
      runDir,
      command: nodeJob('exit-with.mjs', { code: 3, message: 'boom' }),
    });
    expect(result).toMatchObject({
      status: 'failed',
      exitCode: 3,
      signal: null,
      exitStatus: 3,
      error: 'exited with code 3',
    });
    const record = readRecord(runDir);
    expect(record).toMatchObject({
      status: 'failed',
      exitCode: 3,
      signal: null,
      error: 'exited with code 3',
      errorTail: ['boom'],
      attempt: 1,
    });
    expect(Date.parse(record?.finishedAt ?? '')).toBeGreaterThanOrEqual(
      Date.parse(record?.startedAt ?? ''),
    );
    expect(readLog(runDir)).toContain('boom');
  });

  test('a job killed by a signal is recorded with the signal, exit status 128 + n', async ({
    runDir,
    supervise,
  }) => {
    const result = await supervise({
      runDir,
      command: nodeJob('exit-with.mjs', { signal: 'SIGKILL' }),
    });
    expect(result).toMatchObject({
      status: 'failed',
      exitCode: null,
      signal: 'SIGKILL',
      exitStatus: 137,
    });
    expect(readRecord(runDir)).toMatchObject({
      status: 'failed',
      signal: 'SIGKILL',
      error: 'killed by SIGKILL (signal 9)',
    });
  });

  test('a command that does not exist fails with exit status 127', async ({
    runDir,
    supervise,
  }) => {
    const result = await supervise({ runDir, command: ['/nonexistent/runboard-no-such-program'] });
    expect(result).toMatchObject({ status: 'failed', pid: null, exitStatus: 127 });
    expect(readRecord(runDir)?.error).toBe(
      'could not start /nonexistent/runboard-no-such-program: command not found (ENOENT)',
    );
  });

  test("a command that sh cannot find: exit 127 in plain words, sh's message in errorTail", async ({
    runDir,
    supervise,
  }) => {
    const result = await supervise({ runDir, command: ['sh', '-c', 'nonexistent-cmd'] });
    expect(result).toMatchObject({ status: 'failed', exitCode: 127, exitStatus: 127 });
    const record = readRecord(runDir);
    expect(record?.error).toBe('exited with code 127 (command not found)');
    expect(record?.errorTail).toHaveLength(1);
    expect(record?.errorTail?.[0]).toMatch(/nonexistent-cmd: .*not found$/);
  });

  test('a missing working folder is named as such, not as spawn ENOENT', async ({
    dir,
    runDir,
    supervise,
  }) => {
    const cwd = join(dir, 'no-such-folder');
    const result = await supervise({ runDir, command: ['true'], cwd });
    expect(result).toMatchObject({ status: 'failed', pid: null, exitStatus: 1 });
    expect(readRecord(runDir)).toMatchObject({
      status: 'failed',
      error: `cwd ${cwd} does not exist`,
      errorTail: null,
    });
    expect(readLog(runDir)).toContain(`cwd ${cwd} does not exist`);

    const file = join(dir, 'a-file');
    writeFileSync(file, '');
    await supervise({ runDir, command: ['true'], cwd: file });
    expect(readRecord(runDir)).toMatchObject({ attempt: 2, error: `cwd ${file} is not a folder` });
  });

  test('a failed run keeps the last 20 lines of its output in errorTail, stripped of controls and progress', async ({
    runDir,
    supervise,
  }) => {
    const result = await supervise({ runDir, command: nodeJob('print-traceback.mjs') });
    expect(result).toMatchObject({ status: 'failed', exitCode: 3, error: 'exited with code 3' });
    expect(readRecord(runDir)?.errorTail).toEqual([
      ...Array.from({ length: 15 }, (_, index) => `log line ${16 + index}`),
      'red\tafter tab',
      'Traceback (most recent call last):',
      '  File "train.py", line 12, in <module>',
      '    lr = config["lr"]',
      "KeyError: 'lr'",
    ]);
  });

  test('errorTail holds stdout and stderr; a success leaves none', async ({
    runDir,
    supervise,
  }) => {
    await supervise({
      runDir,
      command: nodeJob('print-traceback.mjs', { lines: 0, stdout: 'from stdout' }),
    });
    const tail = readRecord(runDir)?.errorTail ?? [];
    expect(tail).toHaveLength(6);
    expect(tail).toContain('from stdout');
    expect(tail).toContain("KeyError: 'lr'");

    await supervise({ runDir, command: nodeJob('print-traceback.mjs', { code: 0 }) });
    expect(readRecord(runDir)).toMatchObject({ status: 'succeeded', attempt: 2, errorTail: null });
  });

  test('standalone reruns take the next attempt: fail once, then succeed', async ({
    dir,
    runDir,
    supervise,
  }) => {
    const command = nodeJob('fail-once.mjs', { state: join(dir, 'state') });
    expect(await supervise({ runDir, command })).toMatchObject({
      status: 'failed',
      attempt: 1,
      exitCode: 3,
    });
    expect(await supervise({ runDir, command })).toMatchObject({ status: 'succeeded', attempt: 2 });
    expect(readRecord(runDir)).toMatchObject({
      status: 'succeeded',
      attempt: 2,
      exitCode: 0,
      error: null,
      errorTail: null,
    });
    const log = readLog(runDir);
    expect(log).toContain('first try: failing');
    expect(log).toContain('second try: succeeding');
  });

  test('rejects bad options before touching the run folder', async ({ runDir, supervise }) => {
    await expect(supervise({ runDir, command: [] })).rejects.toThrow(TypeError);
    await expect(supervise({ runDir, command: ['x'], heartbeatSeconds: 0 })).rejects.toThrow(
      /heartbeatSeconds/,
    );
    await expect(supervise({ runDir, command: ['x'], gpus: [-1] })).rejects.toThrow(/gpus/);
    expect(readRecord(runDir)).toBeUndefined();
  });
});
