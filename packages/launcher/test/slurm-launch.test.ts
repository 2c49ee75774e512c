import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describeOrSkip, queuedSlurmJobsUnder, slurmSkipReason } from '@runboard/test-kit';
import { expect } from 'vitest';
import { requestCancel } from '../src/index.js';
import { markJob, overlappingRuns, readMarks, readRecords } from './launch-helpers.js';
import {
  completedJobsUnder,
  readRecordIn,
  runSlurmPlan,
  slurmTest as test,
  startSlurmLauncher,
  writeSlurmPlan,
} from './slurm-helpers.js';

const describeOnCluster = describeOrSkip(slurmSkipReason(), 'Slurm executor tests');

/** Peak number of jobs running at once, replaying the marks in write order. */
function peakConcurrency(marks: { kind: string }[]): number {
  let current = 0;
  let peak = 0;
  for (const mark of marks) {
    current += mark.kind === 'start' ? 1 : -1;
    peak = Math.max(peak, current);
  }
  return peak;
}

describeOnCluster('the Slurm executor on the single-node cluster', { timeout: 90_000 }, () => {
  test('a sweep of 8 one-GPU runs runs 4 at a time on the 4 GPUs Slurm gives', async ({ dir }) => {
    const { result, marks, records } = await runSlurmPlan(dir, {
      sweeps: [
        {
          id: 's{seed}',
          command: markJob(1500, '--wait-for-starts', '4'),
          matrix: { seed: [1, 2, 3, 4, 5, 6, 7, 8] },
        },
      ],
    });
    expect(result.exitCode).toBe(0);
    expect(marks.filter((mark) => mark.kind === 'start')).toHaveLength(8);
    expect(peakConcurrency(marks)).toBe(4);
    expect(overlappingRuns(marks)).toEqual([]);
    const gpus = new Set(marks.map((mark) => mark.gpus));
    expect([...gpus].every((gpu) => ['0', '1', '2', '3'].includes(gpu))).toBe(true);
    for (const record of records.values()) {
      expect(record.status).toBe('succeeded');
      expect(record.executor).toMatchObject({
        kind: 'slurm',
        jobId: expect.stringMatching(/^\d+$/),
      });
      expect(record.gpus).toHaveLength(1);
    }
    await expect.poll(() => completedJobsUnder(dir)).toHaveLength(8);
  });

  test('a dependency chain: each job is submitted once the run before it succeeded', async ({
    dir,
  }) => {
    const { result, marks, records } = await runSlurmPlan(dir, {
      runs: [
        { id: 'train', command: markJob(300) },
        { id: 'eval', command: markJob(300), dependsOn: ['train'] },
        { id: 'report', command: markJob(300), dependsOn: ['eval'] },
      ],
    });
    expect(result.exitCode).toBe(0);
    expect(marks.map((mark) => `${mark.kind} ${mark.runId}`)).toEqual([
      'start train',
      'end train',
      'start eval',
      'end eval',
      'start report',
      'end report',
    ]);
    const jobIds = ['train', 'eval', 'report'].map((id) =>
      Number(records.get(id)?.executor?.jobId),
    );
    expect(jobIds).toEqual([...jobIds].sort((a, b) => a - b));
    expect(new Set(jobIds).size).toBe(3);
  });

  test('a failing run is retried as a new job and then succeeds', async ({ dir }) => {
    const state = join(dir, 'fail-state');
    const { result, events, records } = await runSlurmPlan(dir, {
      runs: [
        {
          id: 'flaky',
          command: markJob(200, '--fail-times', '1', '--state', state),
          retries: 1,
        },
      ],
    });
    expect(result.exitCode).toBe(0);
    const record = records.get('flaky');
    expect(record).toMatchObject({ status: 'succeeded', attempt: 2 });
    expect(events.filter((event) => event.type === 'retrying')).toHaveLength(1);
    await expect
      .poll(() => completedJobsUnder(dir).map((job) => job.state))
      .toEqual(['FAILED', 'COMPLETED']);
    expect(record?.executor?.jobId).toBe(completedJobsUnder(dir)[1].jobId);
  });

  test("cancel: a pending job shows Slurm's reason and is scancelled; a running one stops through control.json", async ({
    dir,
  }) => {
    // Another user's job holds all 4 GPUs: both runs wait in Slurm's queue.
    const blocker = execFileSync(
      'sbatch',
      ['--parsable', '--gres=gpu:4', `--output=${join(dir, 'blocker.out')}`, '--wrap', 'sleep 300'],
      { encoding: 'utf8' },
    ).trim();
    try {
      const root = join(dir, 'logs');
      const launched = runSlurmPlan(dir, {
        runs: [
          { id: 'pending', command: markJob(200) },
          { id: 'running', command: markJob(120_000) },
        ],
      });
      await expect
        .poll(() => readRecordIn(root, 'pending')?.waiting?.detail, { timeout: 30_000 })
        .toMatch(/^(Resources|Priority)$/);
      const record = readRecordIn(root, 'pending');
      expect(record).toMatchObject({ status: 'starting', waiting: { reason: 'slurm' } });
      const pendingJob = record?.executor?.jobId ?? '';
      expect(queuedSlurmJobsUnder(dir).get(pendingJob)).toBe('PENDING');
      await requestCancel(join(root, 'pending'));
      await expect
        .poll(() => readRecordIn(root, 'pending')?.status, { timeout: 10_000 })
        .toBe('cancelled');
      await expect
        .poll(() => queuedSlurmJobsUnder(dir).has(pendingJob), { timeout: 10_000 })
        .toBe(false);

      execFileSync('scancel', [blocker]);
      await expect
        .poll(() => readRecordIn(root, 'running')?.status, { timeout: 30_000 })
        .toBe('running');
      await expect
        .poll(() => readMarks(join(dir, 'marks.log')).map((mark) => mark.runId), {
          timeout: 10_000,
        })
        .toContain('running');
      await requestCancel(join(root, 'running'));
      const { result, marks, records } = await launched;
      expect(records.get('running')).toMatchObject({ status: 'cancelled' });
      expect(records.get('pending')).toMatchObject({ status: 'cancelled', attempt: 1 });
      expect(marks.filter((mark) => mark.runId === 'pending')).toEqual([]);
      expect(marks.filter((mark) => mark.runId === 'running').map((mark) => mark.kind)).toEqual([
        'start',
        'stopped',
      ]);
      expect(result.exitCode).toBe(1);
    } finally {
      spawnSync('scancel', [blocker]);
    }
  });

  test('launcher kill -9 + restart re-adopts pending and running jobs by id: none is submitted twice', async ({
    dir,
  }) => {
    const root = join(dir, 'logs');
    const planFile = await writeSlurmPlan(dir, {
      sweeps: [{ id: 'r{n}', command: markJob(6000), matrix: { n: [1, 2, 3, 4, 5, 6] } }],
    });
    const first = await startSlurmLauncher(dir, planFile);
    const jobIds = () =>
      new Map([...readRecords(root)].map(([id, record]) => [id, record.executor?.jobId]));
    // Every run submitted: 4 running on the 4 GPUs, 2 pending in Slurm's queue.
    await expect
      .poll(() => [...jobIds().values()].filter(Boolean).length, { timeout: 30_000 })
      .toBe(6);
    const submitted = jobIds();
    await expect
      .poll(() => [...queuedSlurmJobsUnder(dir).values()].sort(), { timeout: 20_000 })
      .toEqual(['PENDING', 'PENDING', 'RUNNING', 'RUNNING', 'RUNNING', 'RUNNING']);
    first.child.kill('SIGKILL');
    await first.exited;

    const second = await startSlurmLauncher(dir, planFile);
    const exit = await second.exited;
    expect(exit, second.stderr()).toEqual({ code: 0, signal: null });
    const events = second.events();
    expect(events.filter((event) => event.type === 'started')).toEqual([]);
    // Runs that ended while no launcher ran are done; every other one is adopted.
    const reconciled = events.find((event) => event.type === 'reconciled');
    expect(reconciled).toMatchObject({ total: 6, toStart: 0 });
    expect(events.filter((event) => event.type === 'adopted')).toHaveLength(
      6 - Number(reconciled?.done),
    );
    expect(Number(reconciled?.adopted)).toBeGreaterThanOrEqual(2);
    expect(jobIds()).toEqual(submitted);
    for (const record of readRecords(root).values())
      expect(record).toMatchObject({ status: 'succeeded', attempt: 1 });
    // Slurm logs a job's completion once it has left the node, after its record is final.
    await expect
      .poll(
        () =>
          completedJobsUnder(dir)
            .map((job) => job.jobId)
            .sort(),
        { timeout: 10_000 },
      )
      .toEqual([...submitted.values()].sort());
    const marks = readMarks(join(dir, 'marks.log'));
    expect(marks.filter((mark) => mark.kind === 'start')).toHaveLength(6);
    expect(overlappingRuns(marks)).toEqual([]);
  });
});
