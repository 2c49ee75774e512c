import { mkdirSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { updateJson } from '@runboard/json-io';
import { describe, expect, vi } from 'vitest';
import { RUN_FILES, type RunRecord } from '../src/run-folder/index.js';
import { RunActiveError, RunSupersededError } from '../src/index.js';
import { allExited, nodeJob, readRecord, test } from './supervisor-helpers.js';

function claimed(attempt: number, status: RunRecord['status'] = 'starting'): RunRecord {
  const now = new Date().toISOString();
  return {
    schemaVersion: 1,
    id: 'cdd/run_1',
    status,
    attempt,
    maxAttempts: 3,
    command: ['python', 'train.py'],
    launcher: { host: hostname(), pid: process.pid },
    queuedAt: now,
    updatedAt: now,
  };
}

async function writeRecord(runDir: string, record: RunRecord): Promise<void> {
  mkdirSync(runDir, { recursive: true });
  await updateJson(join(runDir, RUN_FILES.progress), () => record);
}

describe('superviseRun: writes only its own attempt', () => {
  test("takes over the launcher's claim and keeps the launcher's fields", async ({
    runDir,
    supervise,
  }) => {
    await writeRecord(runDir, claimed(2));
    const result = await supervise({
      runDir,
      attempt: 2,
      gpus: [0],
      command: nodeJob('exit-with.mjs'),
    });
    expect(result).toMatchObject({ status: 'succeeded', attempt: 2, runId: 'cdd/run_1' });
    expect(readRecord(runDir)).toMatchObject({
      status: 'succeeded',
      attempt: 2,
      maxAttempts: 3,
      launcher: { pid: process.pid },
      command: ['python', 'train.py'],
      supervisorPid: process.pid,
      gpus: [0],
    });
  });

  test('a supervisor of attempt 1 does not start on a record at attempt 2, nor touch it', async ({
    runDir,
    supervise,
  }) => {
    await writeRecord(runDir, claimed(2));
    const before = readFileSync(join(runDir, RUN_FILES.progress), 'utf8');
    await expect(supervise({ runDir, attempt: 1, command: nodeJob('hang.mjs') })).rejects.toThrow(
      RunSupersededError,
    );
    expect(readFileSync(join(runDir, RUN_FILES.progress), 'utf8')).toBe(before);
    expect(readFileSync(join(runDir, RUN_FILES.log), 'utf8')).toMatch(
      /did not start: RunSupersededError: .*attempt 2, not 1/,
    );
  });

  test('a finished attempt is not run again by a late supervisor', async ({
    runDir,
    supervise,
  }) => {
    await writeRecord(runDir, { ...claimed(1, 'failed'), error: 'lost: supervisor gone' });
    await expect(
      supervise({ runDir, attempt: 1, command: nodeJob('hang.mjs') }),
    ).rejects.toMatchObject({
      code: 'RUNBOARD_RUN_SUPERSEDED',
    });
    expect(readRecord(runDir)).toMatchObject({ status: 'failed', error: 'lost: supervisor gone' });
  });

  test('a late supervisor does not take an attempt that went back to the queue', async ({
    runDir,
    supervise,
  }) => {
    // A start that did not reach its server: the launcher put attempt 1 back as queued.
    await writeRecord(runDir, { ...claimed(1, 'queued'), launcher: null, firstAttempt: 2 });
    await expect(
      supervise({ runDir, attempt: 1, command: nodeJob('hang.mjs') }),
    ).rejects.toMatchObject({
      code: 'RUNBOARD_RUN_SUPERSEDED',
      message: expect.stringContaining('attempt 1 went back to the queue'),
    });
    expect(readRecord(runDir)).toMatchObject({ status: 'queued', attempt: 1 });
  });

  test('when a retry takes the record mid-run, attempt 1 stops its job and never writes again', async ({
    dir,
    runDir,
    supervise,
  }) => {
    await writeRecord(runDir, claimed(1));
    const ready = join(dir, 'ready');
    const running = supervise({
      runDir,
      attempt: 1,
      heartbeatSeconds: 0.1,
      command: nodeJob('hang.mjs', { 'ready-file': ready }),
    });
    const jobPid = Number(await vi.waitFor(() => readFileSync(ready, 'utf8'), { timeout: 10_000 }));
    await expect
      .poll(() => readRecord(runDir)?.pid, { timeout: 5000, message: 'pid recorded' })
      .toBe(jobPid);
    // The launcher judged attempt 1 lost and claimed attempt 2.
    const retry = { ...claimed(2), error: null };
    await writeRecord(runDir, retry);
    const result = await running;
    expect(result).toMatchObject({ superseded: true, attempt: 1, exitStatus: 1 });
    expect(allExited([jobPid])).toBe(true);
    expect(readRecord(runDir)).toEqual(retry);
  });

  test('a standalone supervisor refuses a run that another live supervisor runs', async ({
    runDir,
    supervise,
  }) => {
    const now = new Date().toISOString();
    await writeRecord(runDir, {
      ...claimed(1, 'running'),
      host: hostname(),
      supervisorPid: process.pid,
      heartbeatAt: now,
      startedAt: now,
    });
    await expect(supervise({ runDir, command: nodeJob('hang.mjs') })).rejects.toThrow(
      RunActiveError,
    );
  });

  test('a standalone supervisor takes over a stalled run as the next attempt', async ({
    runDir,
    supervise,
  }) => {
    const old = new Date(Date.now() - 10 * 60_000).toISOString();
    await writeRecord(runDir, {
      ...claimed(1, 'running'),
      host: 'elsewhere',
      supervisorPid: 999_999,
      heartbeatAt: old,
      startedAt: old,
    });
    expect(await supervise({ runDir, command: nodeJob('exit-with.mjs') })).toMatchObject({
      status: 'succeeded',
      attempt: 2,
    });
  });
});
