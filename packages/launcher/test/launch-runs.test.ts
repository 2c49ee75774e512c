import { join } from 'node:path';
import { readFile, writeFile } from 'node:fs/promises';
import { describe, expect } from 'vitest';
import { readControlRequest, requestCancel, type LaunchEvent } from '../src/index.js';
import {
  markJob,
  overlappingRuns,
  peakJobsPerGpu,
  readRecords,
  runPlan,
  test,
} from './launch-helpers.js';

const started = (events: LaunchEvent[]) =>
  events
    .filter((event) => event.type === 'started')
    .map((event) => (event as { runId: string }).runId);

describe('launch', () => {
  test('runs a plan: dependencies first, one run per GPU slot, CUDA_VISIBLE_DEVICES per run, exit 0', async ({
    dir,
  }) => {
    const plan = {
      gpus: [0, 1],
      runs: [
        { id: 'train/a', command: markJob(300) },
        { id: 'train/b', command: markJob(300) },
        { id: 'train/c', command: markJob(300) },
        { id: 'eval/a', command: markJob(50), dependsOn: ['train/a'] },
        { id: 'cpu-only', command: markJob(50), gpus: 0 },
      ],
    };
    const { result, marks, records } = await runPlan(dir, plan);

    expect(result).toMatchObject({ completed: true, exitCode: 0, succeeded: 5, failed: 0 });
    for (const record of records.values())
      expect(record).toMatchObject({ status: 'succeeded', attempt: 1 });
    expect(overlappingRuns(marks)).toEqual([]);
    expect(Math.max(...peakJobsPerGpu(marks).values())).toBe(1);
    const line = (kind: string, runId: string) =>
      marks.find((mark) => mark.kind === kind && mark.runId === runId)!.line;
    expect(line('start', 'eval/a')).toBeGreaterThan(line('end', 'train/a'));
    expect(marks.find((mark) => mark.runId === 'cpu-only')!.gpus).toBe('');
    expect(marks.find((mark) => mark.runId === 'train/a')!.gpus).toMatch(/^[01]$/);

    // A finished plan starts nothing when launched again.
    const again = await runPlan(dir, plan);
    expect(started(again.events)).toEqual([]);
    expect(again.result).toMatchObject({ exitCode: 0, succeeded: 5 });
  });

  test.for([2, 3])(
    'keeps to the concurrency limit: the most jobs at once equals the limit (%i)',
    async (limit, { dir }) => {
      const { result, marks } = await runPlan(dir, {
        concurrency: limit,
        // The first `limit` jobs wait for each other, so they overlap whenever the launcher lets them.
        runs: Array.from({ length: 2 * limit + 1 }, (_, index) => ({
          id: `run_${index}`,
          command: markJob(300, '--wait-for-starts', String(limit)),
        })),
      });
      expect(result.exitCode).toBe(0);
      let running = 0;
      let peak = 0;
      for (const mark of marks) {
        running += mark.kind === 'start' ? 1 : -1;
        peak = Math.max(peak, running);
      }
      expect(peak).toBe(limit);
    },
  );

  test('retries after retryDelaySeconds; a run that fails for good blocks its dependents; --retry-failed starts it again', async ({
    dir,
  }) => {
    const plan = {
      runs: [
        {
          id: 'flaky',
          command: markJob(50, '--fail-times', '1', '--state', join(dir, 'flaky.state')),
          retries: 1,
          retryDelaySeconds: 1,
        },
        {
          id: 'broken',
          command: markJob(50, '--fail-times', '1', '--state', join(dir, 'broken.state')),
        },
        { id: 'after-broken', command: markJob(50), dependsOn: ['broken'] },
        { id: 'after-after', command: markJob(50), dependsOn: ['after-broken'] },
      ],
    };
    const first = await runPlan(dir, plan);
    expect(first.result).toMatchObject({ completed: true, exitCode: 1, succeeded: 1, failed: 3 });
    expect(first.records.get('flaky')).toMatchObject({ status: 'succeeded', attempt: 2 });
    const flakyMarks = first.marks.filter((mark) => mark.runId === 'flaky');
    expect(flakyMarks.map((mark) => mark.kind)).toEqual(['start', 'end', 'start', 'end']);
    expect(flakyMarks[2].time - flakyMarks[1].time).toBeGreaterThanOrEqual(1000);
    expect(first.records.get('broken')).toMatchObject({
      status: 'failed',
      attempt: 1,
      exitCode: 3,
    });
    expect(first.records.get('after-broken')).toMatchObject({
      status: 'failed',
      attempt: 0,
      blockedBy: ['broken'],
      error: 'dependency "broken" failed',
    });
    expect(first.records.get('after-after')).toMatchObject({
      status: 'failed',
      attempt: 0,
      blockedBy: ['after-broken'],
    });
    expect(first.events.filter((event) => event.type === 'retrying')).toHaveLength(1);

    // Without --retry-failed nothing starts again.
    const second = await runPlan(dir, plan);
    expect(started(second.events)).toEqual([]);
    expect(second.result.exitCode).toBe(1);

    const third = await runPlan(dir, plan, { retryFailed: true });
    expect(third.result).toMatchObject({ exitCode: 0, succeeded: 4 });
    expect(started(third.events).sort()).toEqual(['after-after', 'after-broken', 'broken']);
    expect(third.records.get('broken')).toMatchObject({
      status: 'succeeded',
      attempt: 2,
      firstAttempt: 2,
    });
    expect(overlappingRuns(third.marks)).toEqual([]);
  });

  test('a run past timeoutSeconds is stopped and recorded failed, then retried', async ({
    dir,
  }) => {
    const { result, records, events } = await runPlan(dir, {
      runs: [{ id: 'slow', command: markJob(20_000), timeoutSeconds: 0.5, retries: 1 }],
    });
    expect(result).toMatchObject({ exitCode: 1, failed: 1 });
    expect(records.get('slow')).toMatchObject({ status: 'failed', attempt: 2 });
    expect(records.get('slow')!.error).toMatch(/timeout/);
    expect(started(events)).toEqual(['slow', 'slow']);
  });

  test('cancel through control.json: a running run is cancelled and not retried; a waiting one never starts', async ({
    dir,
  }) => {
    const root = join(dir, 'logs');
    const launching = runPlan(dir, {
      retries: 2,
      runs: [
        { id: 'long', command: markJob(30_000) },
        { id: 'later', command: markJob(50), dependsOn: ['long'] },
      ],
    });
    await expect
      .poll(() => readRecords(root).get('long')?.status, { timeout: 20_000 })
      .toBe('running');
    await requestCancel(join(root, 'later'));
    await requestCancel(join(root, 'long'));
    const { result, records, marks } = await launching;
    expect(result).toMatchObject({ completed: true, exitCode: 1, cancelled: 2 });
    expect(records.get('long')).toMatchObject({ status: 'cancelled', attempt: 1 });
    expect(records.get('later')).toMatchObject({ status: 'cancelled', attempt: 0 });
    expect(marks.filter((mark) => mark.runId === 'later')).toEqual([]);
  });

  test('outdatedAfterDays runs a run again that succeeded too long ago, with an old cancel request cleared', async ({
    dir,
  }) => {
    const plan = { outdatedAfterDays: 1, runs: [{ id: 'nightly', command: markJob(50) }] };
    await runPlan(dir, plan);
    const file = join(dir, 'logs', 'nightly', 'progress.json');
    const record = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
    await writeFile(
      file,
      JSON.stringify({
        ...record,
        finishedAt: new Date(Date.now() - 2 * 86_400_000).toISOString(),
      }),
    );
    await requestCancel(join(dir, 'logs', 'nightly'));

    const again = await runPlan(dir, plan);
    expect(started(again.events)).toEqual(['nightly']);
    expect(again.records.get('nightly')).toMatchObject({
      status: 'succeeded',
      attempt: 2,
      firstAttempt: 2,
    });
    expect((await readControlRequest(join(dir, 'logs', 'nightly'))).cancel).toBeUndefined();
  });
});
