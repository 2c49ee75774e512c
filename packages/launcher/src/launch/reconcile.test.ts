import { join } from 'node:path';
import { readJson, writeJson } from '@runboard/json-io';
import { acquireLock } from '@runboard/locking';
import { describe, expect } from 'vitest';
import { testWithTempDir } from '@runboard/test-kit';
import { requestCancel } from '../run-folder/control-request.js';
import type { RunRecord } from '../run-folder/run-record.js';
import { resolvePlan, type ResolvedRun } from '../plan/resolve-plan.js';
import { dryRunLaunch } from './dry-run.js';
import { decideRecord, reconcilePlan, type DecideOptions } from './reconcile.js';
import { createRunRecord } from '../run-folder/run-records.js';
import {
  attemptLimit,
  claimedRecord,
  newQueuedRecord,
  requeuedRecord,
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
const record = (fields: Partial<RunRecord>): RunRecord => ({
  schemaVersion: 1,
  id: 'a',
  status: 'queued',
  attempt: 1,
  command: ['x'],
  updatedAt: ago(0),
  ...fields,
});

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
});

const test = testWithTempDir('runboard-reconcile-');

describe('reconcilePlan', () => {
  test('creates queued records, records lost runs failed and requeues them, leaves finished runs alone', async ({
    dir,
  }) => {
    const plan = resolvePlan(
      {
        retries: 1,
        runs: ['new', 'lost', 'done', 'live'].map((id) => ({ id, command: ['x'] })),
      },
      { baseDir: dir },
    );
    const root = plan.root;
    const base = { schemaVersion: 1 as const, command: ['x'], updatedAt: new Date().toISOString() };
    await writeJson(join(root, 'lost', 'progress.json'), {
      ...base,
      id: 'lost',
      status: 'running',
      attempt: 1,
      host: 'box',
      supervisorPid: 99,
      heartbeatAt: new Date().toISOString(),
    });
    await writeJson(join(root, 'done', 'progress.json'), {
      ...base,
      id: 'done',
      status: 'succeeded',
      attempt: 1,
    });
    await writeJson(join(root, 'live', 'progress.json'), {
      ...base,
      id: 'live',
      status: 'running',
      attempt: 1,
      host: 'box',
      supervisorPid: 98,
      heartbeatAt: new Date().toISOString(),
    });

    const reconciled = await reconcilePlan(plan, {
      launcher: me,
      isProcessAlive: (_host, pid) => pid !== 99,
    });
    expect(
      reconciled.map((item) => [item.run.id, item.decision.kind, item.record?.status]),
    ).toEqual([
      ['new', 'pending', 'queued'],
      ['lost', 'pending', 'queued'],
      ['done', 'done', 'succeeded'],
      ['live', 'watch', 'running'],
    ]);
    const lost = await readJson<RunRecord>(join(root, 'lost', 'progress.json'));
    expect(lost).toMatchObject({
      status: 'queued',
      attempt: 1,
      error: 'lost: supervisor 99 on box is gone',
    });
  });

  test('an unreadable record is reported for that run, not thrown, and left as it is', async ({
    dir,
  }) => {
    const plan = resolvePlan(
      {
        runs: [
          { id: 'odd', command: ['x'] },
          { id: 'fine', command: ['x'] },
        ],
      },
      { baseDir: dir },
    );
    await writeJson(join(plan.root, 'odd', 'progress.json'), {
      schemaVersion: 1,
      id: 'odd',
      status: 'paused',
    });
    const reconciled = await reconcilePlan(plan, { launcher: me });
    expect(reconciled[0].error?.message).toMatch(/Not a run record/);
    expect(reconciled[0].decision).toEqual({ kind: 'done', outcome: 'failed' });
    expect(reconciled[1].record?.status).toBe('queued');
    expect(await readJson(join(plan.root, 'odd', 'progress.json'))).toMatchObject({
      status: 'paused',
    });
  });

  test('creates a new record without its lock, and never replaces one that appeared first', async ({
    dir,
  }) => {
    const plan = resolvePlan({ runs: [{ id: 'a', command: ['x'] }] }, { baseDir: dir });
    const file = join(plan.root, 'a', 'progress.json');
    // Someone holds the record's lock: creating the record exclusively does not wait for it.
    const held = await acquireLock(file, { timeout: 1_000 });
    try {
      const [created] = await reconcilePlan(plan, { launcher: me });
      expect(created?.record).toMatchObject({ id: 'a', status: 'queued' });
    } finally {
      await held.release();
    }
    const first = await readJson<RunRecord>(file);
    expect(await createRunRecord(join(plan.root, 'a'), { ...first, attempt: 7 })).toBe(false);
    expect(await readJson<RunRecord>(file)).toEqual(first);
  });

  test('reconciles 300 new runs, then again with nothing to write', async ({ dir }) => {
    const plan = resolvePlan(
      {
        sweeps: [
          { id: 's/{i}', command: ['x'], matrix: { i: Array.from({ length: 300 }, (_, i) => i) } },
        ],
      },
      { baseDir: dir },
    );
    expect(
      (await reconcilePlan(plan, { launcher: me })).every(
        (item) => item.decision.kind === 'pending',
      ),
    ).toBe(true);
    expect(
      (await reconcilePlan(plan, { launcher: me })).every(
        (item) => item.record?.status === 'queued',
      ),
    ).toBe(true);
  });
});

describe('dryRunLaunch', () => {
  test('lists what would start (with GPUs), wait, run or be skipped, and writes nothing', async ({
    dir,
  }) => {
    const plan = resolvePlan(
      {
        gpus: [0, 1],
        runs: [
          { id: 'running', command: ['x'] },
          { id: 'done', command: ['x'] },
          { id: 'a', command: ['x'] },
          { id: 'b', command: ['x'] },
          { id: 'after-a', command: ['x'], dependsOn: ['a'] },
          { id: 'failed', command: ['x'] },
          { id: 'after-failed', command: ['x'], dependsOn: ['failed'] },
        ],
      },
      { baseDir: dir },
    );
    const now = new Date().toISOString();
    const base = { schemaVersion: 1 as const, command: ['x'], updatedAt: now };
    await writeJson(join(plan.root, 'running', 'progress.json'), {
      ...base,
      id: 'running',
      status: 'running',
      attempt: 1,
      host: 'elsewhere',
      supervisorPid: 5,
      gpus: [0],
      heartbeatAt: now,
    });
    await writeJson(join(plan.root, 'done', 'progress.json'), {
      ...base,
      id: 'done',
      status: 'succeeded',
      attempt: 1,
    });
    await writeJson(join(plan.root, 'failed', 'progress.json'), {
      ...base,
      id: 'failed',
      status: 'failed',
      attempt: 1,
    });
    await requestCancel(join(plan.root, 'running')); // control.json only

    const entries = await dryRunLaunch(plan);
    expect(entries.map((entry) => [entry.id, entry.action, entry.gpus])).toEqual([
      ['running', 'running', [0]],
      ['done', 'skip', undefined],
      ['a', 'start', [1]],
      ['b', 'queue', undefined],
      ['after-a', 'wait', undefined],
      ['failed', 'skip', undefined],
      ['after-failed', 'skip', undefined],
    ]);
    expect(entries.find((entry) => entry.id === 'after-failed')!.note).toBe(
      'not started: failed failed',
    );
    expect(entries.find((entry) => entry.id === 'failed')!.note).toBe(
      'failed; --retry-failed would run it',
    );
    expect(await readJson(join(plan.root, 'a', 'progress.json'), { default: 'none' })).toBe('none');

    const retry = await dryRunLaunch(plan, { retryFailed: true });
    expect(retry.find((entry) => entry.id === 'failed')).toMatchObject({
      action: 'queue',
      attempt: 2,
    });
    expect(retry.find((entry) => entry.id === 'after-failed')).toMatchObject({ action: 'wait' });
  });
});
