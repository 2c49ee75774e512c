import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeOrSkip, queuedSlurmJobsUnder, slurmSkipReason } from '@runboard/test-kit';
import { expect } from 'vitest';
import { markJob, readMarks } from './launch-helpers.js';
import {
  completedJobsUnder,
  readRecordIn,
  runSlurmPlan,
  slurmTest as test,
} from './slurm-helpers.js';

const describeOnCluster = describeOrSkip(slurmSkipReason(), 'Slurm requeue tests');

/**
 * Lets the requeued job `jobId` of `dir`'s launch start now, and waits for its second start:
 * Slurm holds a requeued job back (`BeginTime`: its credential lifetime, 120 s by default), and
 * `StartTime=now` only counts once the job is pending again.
 */
async function startRequeuedJobNow(dir: string, jobId: string): Promise<void> {
  await expect
    .poll(
      () => {
        if (queuedSlurmJobsUnder(dir).get(jobId) === 'PENDING')
          spawnSync('scontrol', ['update', `JobId=${jobId}`, 'StartTime=now']);
        return readMarks(join(dir, 'marks.log')).filter((mark) => mark.kind === 'start').length;
      },
      { timeout: 60_000, interval: 500 },
    )
    .toBe(2);
}

/** Launches one requeueable 3-second run `id` (`sbatch --requeue`, no retries). */
function launchRequeueable(dir: string, id: string) {
  return runSlurmPlan(dir, {
    executor: { requeue: true },
    runs: [{ id, command: markJob(3000), retries: 0 }],
  });
}

/** Requeues the job of run `id` once it runs and its job has marked its start. */
async function requeueWhenRunning(dir: string, root: string, id: string): Promise<string> {
  await expect
    .poll(() => readMarks(join(dir, 'marks.log')).filter((mark) => mark.kind === 'start'), {
      timeout: 30_000,
    })
    .toHaveLength(1);
  const jobId = readRecordIn(root, id)?.executor?.jobId ?? '';
  expect(readRecordIn(root, id)).toMatchObject({ status: 'running', attempt: 1 });
  execFileSync('scontrol', ['requeue', jobId]);
  return jobId;
}

describeOnCluster('Slurm requeues an attempt (--requeue)', { timeout: 120_000 }, () => {
  test('scontrol requeue: the attempt goes back to starting, then runs again as the same attempt and job', async ({
    dir,
  }) => {
    const root = join(dir, 'logs');
    const launched = launchRequeueable(dir, 'long');
    const jobId = await requeueWhenRunning(dir, root, 'long');
    // The supervisor got Slurm's SIGTERM, saw the requeue, and recorded it: nothing final.
    // (Should it not, its run.log says what Slurm told it.)
    const requeued = expect
      .poll(() => readRecordIn(root, 'long'), { timeout: 20_000 })
      .toMatchObject({
        status: 'starting',
        attempt: 1,
        requeued: 1,
        supervisorPid: null,
        finishedAt: null,
        waiting: { reason: 'slurm' },
        executor: { kind: 'slurm', jobId },
      });
    await requeued.catch((error: Error) => {
      const log = readFileSync(join(root, 'long', 'run.log'), 'utf8');
      throw new Error(`${error.message}\nrun.log:\n${log}`, { cause: error });
    });
    await startRequeuedJobNow(dir, jobId);
    const { result, events, marks, records } = await launched;
    expect(result.exitCode).toBe(0);
    expect(records.get('long')).toMatchObject({
      status: 'succeeded',
      attempt: 1,
      requeued: 1,
      exitCode: 0,
      error: null,
      executor: { kind: 'slurm', jobId },
    });
    expect(marks.map((mark) => mark.kind)).toEqual(['start', 'stopped', 'start', 'end']);
    expect(events.map((event) => event.type)).not.toContain('retrying');
    expect(events.map((event) => event.type)).not.toContain('lost');
    expect(events.filter((event) => event.type === 'started')).toHaveLength(1);
    expect(readFileSync(join(root, 'long', 'run.log'), 'utf8')).toContain(
      'attempt 1 requeued by Slurm',
    );
    await expect
      .poll(() => completedJobsUnder(dir).map((job) => `${job.jobId} ${job.state}`))
      .toContain(`${jobId} COMPLETED`);
    expect(queuedSlurmJobsUnder(dir).size).toBe(0);
  });

  test('a supervisor killed before it could record the requeue: the launch records it from the queue', async ({
    dir,
  }) => {
    const root = join(dir, 'logs');
    const launched = launchRequeueable(dir, 'killed');
    await expect.poll(() => readMarks(join(dir, 'marks.log')).length, { timeout: 30_000 }).toBe(1);
    const running = readRecordIn(root, 'killed');
    const jobId = running?.executor?.jobId ?? '';
    // Killed right after Slurm counted the requeue, before it could ask Slurm about its
    // SIGTERM (as after KillWait, or by the OOM killer): the record stays `running`.
    execFileSync('scontrol', ['requeue', jobId]);
    process.kill(running?.supervisorPid ?? 0, 'SIGKILL');
    await expect
      .poll(() => readRecordIn(root, 'killed'), { timeout: 60_000, interval: 250 })
      .toMatchObject({ status: 'starting', attempt: 1, requeued: 1, supervisorPid: null });
    await startRequeuedJobNow(dir, jobId);
    const { result, events, records } = await launched;
    expect(result.exitCode).toBe(0);
    expect(records.get('killed')).toMatchObject({
      status: 'succeeded',
      attempt: 1,
      requeued: 1,
      executor: { kind: 'slurm', jobId },
    });
    expect(readFileSync(join(root, 'killed', 'run.log'), 'utf8')).not.toContain(
      'requeued by Slurm',
    );
    expect(events.map((event) => event.type)).not.toContain('retrying');
    expect(events.map((event) => event.type)).not.toContain('lost');
  });
});
