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
      error: 'killed by signal SIGKILL',
    });
  });

  test('a command that does not exist fails with exit status 127', async ({
    runDir,
    supervise,
  }) => {
    const result = await supervise({ runDir, command: ['/nonexistent/runboard-no-such-program'] });
    expect(result).toMatchObject({ status: 'failed', pid: null, exitStatus: 127 });
    expect(readRecord(runDir)?.error).toMatch(/could not start .*ENOENT/);
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
