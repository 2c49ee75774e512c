import { describe, expect, test } from 'vitest';
import { ProgressTracker } from './progress-tracker.js';

describe('ProgressTracker', () => {
  test('has no progress before a report', () => {
    expect(new ProgressTracker().snapshot(0)).toEqual({
      progress: null,
      metrics: null,
      progressChangedAt: undefined,
    });
  });

  test('computes percent and a smoothed ETA that counts down between reports', () => {
    const tracker = new ProgressTracker();
    tracker.apply({ current: 0, total: 100, unit: 'step' }, 'marker', 0);
    tracker.apply({ current: 10 }, 'marker', 5000);
    const { progress } = tracker.snapshot(5000);
    expect(progress).toMatchObject({
      current: 10,
      total: 100,
      unit: 'step',
      percent: 10,
      etaSeconds: 45,
      ratePerSecond: 2,
    });
    expect(tracker.snapshot(15_000).progress?.etaSeconds).toBe(35);
    expect(tracker.snapshot(500_000).progress?.etaSeconds).toBe(0);
  });

  test('merges metrics, keeps the message, and notes when current changed', () => {
    const tracker = new ProgressTracker();
    tracker.apply({ current: 1, metrics: { loss: 1, acc: 0.5 } }, 'marker', 100);
    tracker.apply({ current: 1, message: 'eval', metrics: { loss: null } }, 'marker', 200);
    const snapshot = tracker.snapshot(300);
    expect(snapshot.metrics).toEqual({ loss: null, acc: 0.5 });
    expect(snapshot.progress).toMatchObject({
      current: 1,
      total: null,
      percent: null,
      etaSeconds: null,
      message: 'eval',
    });
    expect(snapshot.progressChangedAt).toBe(100);
  });

  test('returns what it used, for metrics.jsonl', () => {
    const tracker = new ProgressTracker();
    expect(tracker.apply({ current: 2, total: 4, metrics: {} }, 'tqdm', 0)).toEqual({
      current: 2,
      total: 4,
    });
  });

  test('with epoch folders as the count source, ignores tqdm bars and counts from markers', () => {
    const tracker = new ProgressTracker({ countSources: ['epochDirs'] });
    expect(tracker.apply({ current: 50, total: 100, unit: 'it' }, 'tqdm', 0)).toBeUndefined();
    expect(tracker.apply({ current: 7, message: 'hi', metrics: { loss: 2 } }, 'marker', 0)).toEqual(
      {
        message: 'hi',
        metrics: { loss: 2 },
      },
    );
    tracker.apply({ current: 2, total: 10, unit: 'epoch' }, 'epochDirs', 0);
    expect(tracker.snapshot(0).progress).toMatchObject({
      current: 2,
      total: 10,
      unit: 'epoch',
      percent: 20,
      message: 'hi',
    });
  });

  test('caps percent at 100 and restarts the ETA when the total changes', () => {
    const tracker = new ProgressTracker();
    tracker.apply({ current: 0, total: 10 }, 'tqdm', 0);
    tracker.apply({ current: 5, total: 10 }, 'tqdm', 1000);
    tracker.apply({ current: 6, total: 20 }, 'tqdm', 2000);
    expect(tracker.snapshot(2000).progress).toMatchObject({ percent: 30, etaSeconds: null });
    tracker.apply({ current: 30, total: 20 }, 'tqdm', 3000);
    expect(tracker.snapshot(3000).progress?.percent).toBe(100);
  });
});
