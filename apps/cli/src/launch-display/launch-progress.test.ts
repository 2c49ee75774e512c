import { PassThrough } from 'node:stream';
import { describe, expect, test } from 'vitest';
import type { LaunchSnapshot, RunSnapshot } from '@runboard/launcher';
import { LaunchTally, overallProgress, progressText } from './launch-progress.js';
import { createPlainReporter } from './plain-reporter.js';
import { renderLiveBlock } from './tty-reporter.js';

const snapshot = (fields: Partial<LaunchSnapshot> = {}): LaunchSnapshot => ({
  startedAt: 0,
  now: 60_000,
  total: 5,
  succeeded: 0,
  failed: 0,
  cancelled: 0,
  active: [],
  pending: 0,
  doneAtStart: 0,
  stopping: false,
  ...fields,
});
const running = (id: string, fields: Partial<RunSnapshot> = {}): RunSnapshot => ({
  id,
  phase: 'running',
  attempt: 1,
  gpus: [],
  own: true,
  ...fields,
});

describe('runs that ended without success are not work that can complete', () => {
  test('2 runs, 2 failed: no percent, not 100%', () => {
    const progress = overallProgress(snapshot({ total: 2, failed: 2 }));
    expect(progress).toEqual({ fraction: null, endedUnsuccessful: 2, etaSeconds: 0 });
    expect(progressText(progress)).toBe('—');
  });

  test('3 succeeded, 2 failed: all the work that can succeed is done', () => {
    const progress = overallProgress(snapshot({ succeeded: 3, failed: 2 }));
    expect(progress.fraction).toBe(1);
    expect(progressText(progress)).toBe('100% of what can succeed');
  });

  test('1 succeeded, 1 cancelled, 1 at 50%, 2 waiting: 1.5 of 4', () => {
    const progress = overallProgress(
      snapshot({
        succeeded: 1,
        cancelled: 1,
        pending: 2,
        active: [running('a', { progress: { current: 5, total: 10, percent: 50 } })],
      }),
    );
    expect(progress.fraction).toBeCloseTo(1.5 / 4);
    expect(progressText(progress)).toBe('37% of what can succeed');
  });

  test('runs failed before the launch (its skip events) count neither way', () => {
    const tally = new LaunchTally();
    tally.observe({
      type: 'skipped',
      runId: 'old',
      outcome: 'failed',
      attempt: 3,
      retryFailedWouldRun: true,
      commandChanged: false,
    });
    const progress = overallProgress(
      snapshot({ total: 4, doneAtStart: 2, succeeded: 2, failed: 1, pending: 1 }),
      tally,
    );
    // 1 run succeeded before (done at start), 1 failed before; this launch: 1 succeeded of 2.
    expect(progress).toMatchObject({ fraction: 0.5, endedUnsuccessful: 0 });
  });
});

describe('ETA', () => {
  test('counts a run that just started as the mean duration of those that succeeded', () => {
    const tally = new LaunchTally();
    for (const durationSeconds of [100, 200])
      tally.observe({
        type: 'finished',
        runId: 'x',
        attempt: 1,
        outcome: 'succeeded',
        final: true,
        durationSeconds,
      });
    const now = 1_000_000;
    const justStarted = running('b', { startedAt: new Date(now).toISOString(), progress: null });
    const halfway = running('c', { progress: { current: 1, total: 2, percent: 50 } });
    const withEta = running('d', { progress: { current: 1, percent: 10, etaSeconds: 400 } });
    const eta = (active: RunSnapshot[], pending = 0) =>
      overallProgress(snapshot({ now, succeeded: 2, active, pending }), tally).etaSeconds;
    expect(eta([justStarted])).toBe(150);
    expect(eta([halfway])).toBe(75);
    expect(eta([withEta])).toBe(400);
    // Two going at once, one waiting: (150 + 75 + 150) / 2.
    expect(eta([justStarted, halfway], 1)).toBe(187.5);
  });

  test('before any run succeeded: the rate so far, or unknown', () => {
    const progress = overallProgress(
      snapshot({ total: 4, active: [running('a', { progress: { current: 1, percent: 25 } })] }),
    );
    expect(progress.etaSeconds).toBeCloseTo((60 * (1 - 1 / 16)) / (1 / 16));
    expect(overallProgress(snapshot({ pending: 5 })).etaSeconds).toBeUndefined();
  });
});

test('both displays show the percent of what can succeed', () => {
  const failedSome = snapshot({
    succeeded: 1,
    failed: 2,
    active: [running('a', { progress: { current: 1, total: 2, percent: 50 } })],
    pending: 1,
  });
  const [, overall] = renderLiveBlock(failedSome, { columns: 160, rows: 30 });
  expect(overall).toMatch(
    /^overall ▕█{10} {10}▏ 50% of what can succeed {2}3\/5 done · 1 running · 1 waiting · 2 failed · /,
  );
  const stream = new PassThrough();
  let output = '';
  stream.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const reporter = createPlainReporter(stream, { timestamps: false, progressEverySeconds: 1 });
  reporter.tick!(failedSome);
  expect(output).toMatch(/^progress: 3\/5 done, 1 running, 50% of what can succeed, ETA 1m 00s\n$/);
});
