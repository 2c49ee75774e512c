import { execFileSync } from 'node:child_process';
import { symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describeOrSkip, slurmSkipReason } from '@runboard/test-kit';
import { expect } from 'vitest';
import {
  createSlurmExecutor,
  launch,
  loadPlan,
  PlanError,
  readRunRecord,
  SlurmMissingError,
} from '../src/index.js';
import { test } from './launch-helpers.js';
import { writeSlurmPlan } from './slurm-helpers.js';

const describeOnCluster = describeOrSkip(
  slurmSkipReason(),
  'Slurm plan checks against the cluster',
);

/** The executor for `plan` in `dir`, or the error it was refused with. */
async function executorError(
  dir: string,
  plan: Record<string, unknown>,
  options: { binDir?: string } = {},
): Promise<unknown> {
  const loaded = await loadPlan(await writeSlurmPlan(dir, plan));
  try {
    (await createSlurmExecutor({ plan: loaded, ...options })).close();
  } catch (error) {
    return error;
  }
  return undefined;
}

test('without Slurm commands the executor is refused with a typed error naming the command', async ({
  dir,
}) => {
  const error = await executorError(dir, { runs: [{ id: 'a', command: 'true' }] }, { binDir: dir });
  expect(error).toBeInstanceOf(SlurmMissingError);
  expect(error).toMatchObject({ code: 'RUNBOARD_SLURM_MISSING', command: 'sinfo' });
});

describeOnCluster('a Slurm plan checked against the cluster', () => {
  test('sbatch missing: a typed error before anything is submitted', async ({ dir }) => {
    for (const command of ['sinfo', 'squeue', 'scontrol'])
      symlinkSync(`/usr/bin/${command}`, join(dir, command));
    const error = await executorError(
      dir,
      { runs: [{ id: 'a', command: 'true' }] },
      { binDir: dir },
    );
    expect(error).toMatchObject({ name: 'SlurmMissingError', command: 'sbatch' });
  });

  test('a partition that does not exist is a plan problem naming what sinfo lists', async ({
    dir,
  }) => {
    const error = await executorError(dir, {
      executor: { partition: 'nope' },
      runs: [{ id: 'a', command: 'true' }],
    });
    expect(error).toBeInstanceOf(PlanError);
    expect((error as PlanError).problems).toEqual([
      {
        path: 'executor.partition',
        message: 'partition "nope" does not exist (sinfo lists gpu, debug)',
      },
    ]);
  });

  test("resources Slurm rejects are a plan problem with Slurm's own message, per run", async ({
    dir,
  }) => {
    const error = await executorError(dir, {
      runs: [
        { id: 'fits', command: 'true' },
        { id: 'too-big', command: 'true', slurm: { gres: 'gpu:9' } },
      ],
    });
    expect(error).toBeInstanceOf(PlanError);
    expect((error as PlanError).problems).toEqual([
      {
        path: 'runs[1].slurm',
        message: expect.stringMatching(
          /^Slurm rejects these resources: .*Requested node configuration is not available$/,
        ),
      },
    ]);
  });

  test("a submission Slurm rejects fails the attempt with Slurm's message", async ({ dir }) => {
    const loaded = await loadPlan(
      await writeSlurmPlan(dir, {
        executor: { partition: 'debug' },
        runs: [{ id: 'a', command: 'true' }],
      }),
    );
    const executor = await createSlurmExecutor({ plan: loaded, pollIntervalMs: 300 });
    // The partition stops taking jobs after the plan was checked (as an admin may do).
    execFileSync('scontrol', ['update', 'PartitionName=debug', 'State=INACTIVE']);
    try {
      const result = await launch({ plan: loaded, executor });
      expect(result.exitCode).toBe(1);
      expect(await readRunRecord(join(loaded.root, 'a'))).toMatchObject({
        status: 'failed',
        attempt: 1,
        error:
          'could not start: sbatch failed (exit 1): Batch job submission failed: Required partition not available (inactive or drain)',
      });
    } finally {
      execFileSync('scontrol', ['update', 'PartitionName=debug', 'State=UP']);
    }
  });
});
