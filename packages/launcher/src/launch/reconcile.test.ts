import { minimalRunRecord } from '@runboard/test-kit';
import { describe, expect, test } from 'vitest';
import type { RunRecord } from '../run-folder/run-record.js';
import type { ResolvedRun } from '../plan/resolve-plan.js';
import { decideRecord, type DecideOptions } from './reconcile.js';
import {
  attemptLimit,
  claimedRecord,
  newQueuedRecord,
  requeuedRecord,
  unreachedRecord,
} from './record-transitions.js';

const NOW = Date.parse('2026-11-27T12:00:00Z');
const ago = (seconds: number) => new Date(NOW - seconds * 1000).toISOString();
const me = { host: 'box', pid: 1000 };
const options = (extra: Partial<DecideOptions> = {}): DecideOptions => ({
  now: NOW,
  launcher: me,
  stalledAfterSeconds: 60,
  isProcessAlive: () => true,
  ...extra,
});
const run = (extra: Partial<ResolvedRun> = {}): ResolvedRun => ({
  id: 'a',
  command: ['x'],
  argv: ['x'],
  env: {},
  cwd: '/',
  gpuCount: 0,
  retries: 1,
  maxAttempts: 2,
  retryDelaySeconds: 0,
  dependsOn: [],
  source: 'runs[0]',
  ...extra,
});
const record = (fields: Partial<RunRecord>) => minimalRunRecord<RunRecord>('a', fields, NOW);

describe('decideRecord', () => {
  test('no record: create it', () => {
    expect(decideRecord(undefined, run(), options())).toEqual({ kind: 'new' });
  });

  test('queued: start it (after the retry delay since the failed attempt, when there was one)', () => {
    expect(decideRecord(record({ status: 'queued', attempt: 0 }), run(), options())).toEqual({
      kind: 'pending',
    });
    const retried = record({ status: 'queued', attempt: 1, finishedAt: ago(10) });
    expect(decideRecord(retried, run({ retryDelaySeconds: 30 }), options())).toEqual({
      kind: 'pending',
      notBefore: NOW + 20_000,
    });
    expect(decideRecord(retried, run({ retryDelaySeconds: 5 }), options())).toEqual({
      kind: 'pending',
    });
  });

  /** Running on host `box` under supervisor 5, heartbeat 5 s ago. */
  const running = record({ status: 'running', host: 'box', supervisorPid: 5, heartbeatAt: ago(5) });

  test('running with a fresh heartbeat and a live supervisor: watch it', () => {
    expect(decideRecord(running, run(), options())).toEqual({ kind: 'watch' });
  });

  test('running but stalled: lost, with the reason', () => {
    expect(decideRecord(running, run(), options({ isProcessAlive: () => false }))).toEqual({
      kind: 'lost',
      reason: 'supervisor 5 on box is gone',
    });
    expect(decideRecord({ ...running, heartbeatAt: ago(300) }, run(), options())).toEqual({
      kind: 'lost',
      reason: 'no heartbeat for 300 s',
    });
    // another host: liveness unknown, only the heartbeat counts
    expect(
      decideRecord(
        { ...running, host: 'other' },
        run(),
        options({ isProcessAlive: () => undefined }),
      ),
    ).toEqual({ kind: 'watch' });
  });

  test("starting: watch a live launcher's claim; take over a dead one's, an old one, or one with our own pid", () => {
    const starting = record({
      status: 'starting',
      launcher: { host: 'box', pid: 7 },
      updatedAt: ago(1),
    });
    expect(decideRecord(starting, run(), options())).toEqual({ kind: 'watch' });
    expect(decideRecord(starting, run(), options({ isProcessAlive: () => false }))).toEqual({
      kind: 'reclaim',
    });
    expect(decideRecord({ ...starting, updatedAt: ago(61) }, run(), options())).toEqual({
      kind: 'reclaim',
    });
    expect(decideRecord({ ...starting, launcher: me }, run(), options())).toEqual({
      kind: 'reclaim',
    });
  });

  test('failed: retry while attempts are left, then done; --retry-failed starts a fresh cycle', () => {
    const failed = record({ status: 'failed', attempt: 1, maxAttempts: 2, finishedAt: ago(1) });
    expect(decideRecord(failed, run(), options())).toEqual({ kind: 'pending', requeue: 'retry' });
    expect(decideRecord(failed, run({ retryDelaySeconds: 10 }), options())).toEqual({
      kind: 'pending',
      requeue: 'retry',
      notBefore: NOW + 9000,
    });
    expect(decideRecord({ ...failed, attempt: 2 }, run(), options())).toEqual({
      kind: 'done',
      outcome: 'failed',
    });
    expect(decideRecord({ ...failed, attempt: 2 }, run(), options({ retryFailed: true }))).toEqual({
      kind: 'pending',
      requeue: 'fresh',
    });
    // the plan's retries count, counted from the cycle's first attempt
    expect(
      decideRecord({ ...failed, attempt: 5, firstAttempt: 5 }, run({ maxAttempts: 2 }), options()),
    ).toMatchObject({ kind: 'pending' });
  });

  test('blocked by a dependency: look again', () => {
    expect(
      decideRecord(
        record({ status: 'failed', attempt: 0, blockedBy: ['x'] }),
        run({ maxAttempts: 1 }),
        options(),
      ),
    ).toEqual({
      kind: 'pending',
      requeue: 'unblock',
    });
  });

  test('succeeded: done, unless outdated; cancelled: done unless --retry-failed', () => {
    const done = record({ status: 'succeeded', finishedAt: ago(3 * 86_400) });
    expect(decideRecord(done, run(), options())).toEqual({ kind: 'done', outcome: 'succeeded' });
    expect(decideRecord(done, run(), options({ outdatedAfterSeconds: 86_400 }))).toEqual({
      kind: 'pending',
      requeue: 'fresh',
    });
    expect(decideRecord(record({ status: 'cancelled' }), run(), options())).toEqual({
      kind: 'done',
      outcome: 'cancelled',
    });
    expect(
      decideRecord(record({ status: 'cancelled' }), run(), options({ retryFailed: true })),
    ).toEqual({ kind: 'pending', requeue: 'fresh' });
  });
});

describe('record transitions', () => {
  const now = new Date(NOW);
  test('attempts are never reused; an uncounted claim moves the cycle on with it', () => {
    const queued = newQueuedRecord(run(), now);
    expect(queued).toMatchObject({ status: 'queued', attempt: 0, firstAttempt: 1, maxAttempts: 2 });
    const first = claimedRecord(queued, run(), me, [0], now);
    expect(first).toMatchObject({
      status: 'starting',
      attempt: 1,
      firstAttempt: 1,
      maxAttempts: 2,
      launcher: me,
      gpus: [0],
    });
    const takenOver = claimedRecord(first, run(), me, [1], now, { uncounted: true });
    expect(takenOver).toMatchObject({ attempt: 2, firstAttempt: 2, maxAttempts: 3 });
    expect(attemptLimit(takenOver, run()) - takenOver.attempt).toBe(1);
  });

  test("a claim clears the last attempt's result; a retry keeps it visible until then; a fresh cycle clears it", () => {
    const failed = record({
      status: 'failed',
      attempt: 1,
      exitCode: 3,
      error: 'exit 3',
      finishedAt: ago(1),
      progress: { current: 2 },
    });
    const retry = requeuedRecord(failed, run(), now);
    expect(retry).toMatchObject({ status: 'queued', attempt: 1, exitCode: 3, error: 'exit 3' });
    expect(claimedRecord(retry, run(), me, [], now)).toMatchObject({
      attempt: 2,
      exitCode: null,
      error: null,
      progress: null,
      finishedAt: null,
    });
    expect(requeuedRecord(failed, run(), now, { freshCycle: true })).toMatchObject({
      firstAttempt: 2,
      maxAttempts: 3,
      error: null,
      exitCode: null,
    });
  });

  test('a start that never reached its server gives the attempt back: queued, uncounted, its server cleared', () => {
    const claimed = {
      ...claimedRecord(newQueuedRecord(run(), now), run(), me, [0], now),
      server: 'gpu-a',
      executor: { kind: 'ssh' as const },
    };
    const back = unreachedRecord(claimed, run(), now);
    expect(back).toMatchObject({
      status: 'queued',
      attempt: 1,
      firstAttempt: 2,
      maxAttempts: 3,
      launcher: null,
      executor: null,
      server: null,
      gpus: null,
    });
    // The next claim is attempt 2, with both attempts still ahead.
    const next = claimedRecord(back, run(), me, [1], now);
    expect(next).toMatchObject({ attempt: 2, firstAttempt: 2, maxAttempts: 3 });
    expect(attemptLimit(next, run()) - next.attempt).toBe(1);
  });
});
