import { describe, expect, test } from 'vitest';
import type { RunRecord } from '@runboard/launcher';
import type { DashboardStatus } from './dashboard-status.js';
import type { RunEntry } from './run-view.js';
import { newRunEntry, percentOf } from './run-view.js';
import { summarizeRuns } from './summary.js';

const NOW = Date.parse('2025-06-01T12:00:00Z');
const iso = (secondsBeforeNow: number): string =>
  new Date(NOW - secondsBeforeNow * 1000).toISOString();

let entryCount = 0;

function entry(status: DashboardStatus, record: Partial<RunRecord> | null): RunEntry {
  const full = record
    ? ({
        schemaVersion: 1,
        id: 'x',
        attempt: 1,
        command: ['x'],
        updatedAt: iso(0),
        status: 'running',
        ...record,
      } as RunRecord)
    : null;
  entryCount += 1;
  return { ...newRunEntry(`run_${entryCount}`), record: full, status, percent: percentOf(full) };
}

describe('summarizeRuns', () => {
  test('an empty set is done, with no percent', () => {
    expect(summarizeRuns([], NOW)).toMatchObject({
      total: 0,
      percent: null,
      etaSeconds: 0,
      active: 0,
    });
  });

  test('percent: the work that can still complete (succeeded 100, active by progress, queued 0); failed runs apart', () => {
    const summary = summarizeRuns(
      [
        entry('succeeded', { status: 'succeeded', startedAt: iso(1000), finishedAt: iso(400) }),
        entry('failed', { status: 'failed' }),
        entry('running', { status: 'running', progress: { current: 50, total: 100 } }),
        entry('queued', { status: 'queued' }),
      ],
      NOW,
    );
    // Issue 13 item 6: the failed run is not "done"; it is left out of the work that can complete.
    expect(summary.percent).toBe((100 + 50 + 0) / 3);
    expect(summary.endedUnsuccessful).toBe(1);
    expect(summary.counts).toMatchObject({ succeeded: 1, failed: 1, running: 1, queued: 1 });
    expect(summary.active).toBe(1);
  });

  test('runs that all ended without success: no percent, and they are counted', () => {
    const summary = summarizeRuns(
      [entry('failed', { status: 'failed' }), entry('cancelled', { status: 'cancelled' })],
      NOW,
    );
    expect(summary).toMatchObject({ total: 2, endedUnsuccessful: 2, percent: null, etaSeconds: 0 });
  });

  test('an outdated (succeeded) run counts 100; indexing progress is passed through', () => {
    const summary = summarizeRuns(
      [
        entry('outdated', { status: 'succeeded' }),
        entry('running', { status: 'running', progress: { current: 1, total: 4 } }),
      ],
      NOW,
      { indexed: 2, total: null },
    );
    expect(summary.percent).toBe((100 + 25) / 2);
    expect(summary.indexing).toEqual({ indexed: 2, total: null });
    expect(summarizeRuns([], NOW).indexing).toBeNull();
  });

  test('ETA: remaining time counted down from the report, queued runs at the mean duration', () => {
    const summary = summarizeRuns(
      [
        entry('succeeded', { status: 'succeeded', startedAt: iso(1000), finishedAt: iso(400) }), // 600 s
        entry('running', {
          status: 'running',
          updatedAt: iso(100),
          progress: { current: 1, total: 2, etaSeconds: 300 },
        }),
        entry('running', {
          status: 'running',
          updatedAt: iso(0),
          progress: { current: 1, total: 2, etaSeconds: 100 },
        }),
        entry('queued', { status: 'queued' }),
        entry('queued', { status: 'queued' }),
      ],
      NOW,
    );
    // Remaining 200 + 100 s now, plus 2 × 600 s queued, over 2 active runs.
    expect(summary.etaSeconds).toBe(750);
    expect(summary.etaAt).toBe(new Date(NOW + 750_000).toISOString());
  });

  test('ETA is at least the longest remaining run', () => {
    const summary = summarizeRuns(
      [
        entry('running', {
          status: 'running',
          progress: { current: 1, total: 2, etaSeconds: 1000 },
        }),
        entry('running', { status: 'running', progress: { current: 1, total: 2, etaSeconds: 10 } }),
      ],
      NOW,
    );
    expect(summary.etaSeconds).toBe(1000);
  });

  test('ETA is unknown with queued runs and nothing to learn a duration from', () => {
    expect(summarizeRuns([entry('queued', { status: 'queued' })], NOW).etaSeconds).toBeNull();
  });

  test('without a finished run, the duration is extrapolated from active progress', () => {
    const summary = summarizeRuns(
      [
        entry('running', {
          status: 'running',
          startedAt: iso(100),
          progress: { current: 25, total: 100 },
        }),
        entry('queued', { status: 'queued' }),
      ],
      NOW,
    );
    // 100 s for 25 % → 400 s a run: 300 s left + 400 s queued, on one active run.
    expect(summary.etaSeconds).toBe(700);
  });

  test('ETA counts a run that just started (no progress yet) as the mean succeeded duration', () => {
    const summary = summarizeRuns(
      [
        entry('succeeded', { status: 'succeeded', startedAt: iso(1000), finishedAt: iso(400) }), // 600 s
        entry('running', { status: 'running', startedAt: iso(1) }),
      ],
      NOW,
    );
    expect(summary.etaSeconds).toBe(600);
  });
});
