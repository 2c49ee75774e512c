import { join } from 'node:path';
import { testWithTempDir, writeTestRun } from '@runboard/test-kit';
import { describe, expect } from 'vitest';
import { readRunRecord, RunSupersededError, superviseRun, type RunRecord } from '../src/index.js';

const test = testWithTempDir('runboard-requeue-claim-');

/** A `running` record of Slurm job 42's attempt 1 whose supervisor (pid 41000, elsewhere) is gone. */
async function writeRequeuedRun(root: string): Promise<string> {
  await writeTestRun<RunRecord>(root, 'a', {
    executor: { kind: 'slurm', jobId: '42' },
    heartbeatAt: new Date(Date.now() - 60_000).toISOString(),
  });
  return join(root, 'a');
}

describe("a requeued Slurm job's next run and the attempt its earlier run left running", () => {
  test('takes the attempt over and counts the requeue', async ({ dir }) => {
    const runDir = await writeRequeuedRun(dir);
    const result = await superviseRun({
      runDir,
      command: ['true'],
      attempt: 1,
      slurmJob: { jobId: '42', restartCount: 1 },
    });
    expect(result).toMatchObject({ status: 'succeeded', attempt: 1, superseded: false });
    expect(await readRunRecord(runDir)).toMatchObject({
      status: 'succeeded',
      attempt: 1,
      requeued: 1,
      supervisorPid: process.pid,
    });
  });

  test.for([
    ['never requeued (restart count 0)', { jobId: '42', restartCount: 0 }],
    ['another job', { jobId: '43', restartCount: 1 }],
  ] as const)('refuses it when the supervisor runs in %s', async ([, slurmJob], { dir }) => {
    const runDir = await writeRequeuedRun(dir);
    await expect(
      superviseRun({ runDir, command: ['true'], attempt: 1, slurmJob }),
    ).rejects.toBeInstanceOf(RunSupersededError);
    expect(await readRunRecord(runDir)).toMatchObject({ status: 'running', supervisorPid: 41_000 });
  });
});
