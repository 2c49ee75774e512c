import { join } from 'node:path';
import { readJson, writeJson } from '@runboard/json-io';
import { describe, expect, it } from 'vitest';
import { testWithTempDir } from '@runboard/test-kit';
import { resolvePlan } from '../plan/resolve-plan.js';
import type { AttemptOutcome } from '../run-folder/run-files.js';
import type { RunRecord } from '../run-folder/run-record.js';
import { decideStalledAttempt, endedFromOutcomeRecord } from './attempt-ending.js';
import { reconcilePlan } from './reconcile.js';

const NOW = Date.parse('2026-12-05T12:00:00Z');
const ago = (seconds: number) => new Date(NOW - seconds * 1000).toISOString();
const ENOSPC = 'ENOSPC (write) writing /root/once/progress.json: no space left on device';

const running: RunRecord = {
  schemaVersion: 1,
  id: 'once',
  status: 'running',
  attempt: 1,
  firstAttempt: 1,
  maxAttempts: 2,
  command: ['./once.sh'],
  host: 'box',
  supervisorPid: 4242,
  pid: 4243,
  startedAt: ago(300),
  heartbeatAt: ago(200),
  updatedAt: ago(200),
};

const outcome = (fields: Partial<AttemptOutcome> = {}): AttemptOutcome => ({
  schemaVersion: 1,
  attempt: 1,
  supervisorPid: 4242,
  host: 'box',
  status: 'succeeded',
  exitCode: 0,
  signal: null,
  error: null,
  finishedAt: ago(190),
  updatedAt: ago(100),
  recordError: ENOSPC,
  ...fields,
});

const gone = {
  now: NOW,
  stalledAfterSeconds: 60,
  supervisorAlive: false,
  reason: 'supervisor 4242 on box is gone',
};

describe('decideStalledAttempt', () => {
  it('takes a terminal outcome of the same attempt, supervisor and host as the attempt’s end', () => {
    const ended = outcome();
    expect(decideStalledAttempt(running, ended, gone)).toEqual({ kind: 'ended', outcome: ended });
    const failed = outcome({ status: 'failed', exitCode: 3, error: 'exited with code 3' });
    expect(decideStalledAttempt(running, failed, gone)).toEqual({
      kind: 'ended',
      outcome: failed,
    });
  });

  it('ignores an outcome of another attempt, supervisor or host', () => {
    for (const other of [
      outcome({ attempt: 2 }),
      outcome({ supervisorPid: 1 }),
      outcome({ host: 'elsewhere' }),
    ]) {
      expect(decideStalledAttempt(running, other, gone)).toEqual({
        kind: 'lost',
        reason: 'supervisor 4242 on box is gone',
      });
    }
    expect(decideStalledAttempt(running, undefined, gone)).toEqual({
      kind: 'lost',
      reason: 'supervisor 4242 on box is gone',
    });
  });

  it('keeps waiting while the supervisor lives and refreshes outcome.json (retrying its final write)', () => {
    const stale = { ...gone, supervisorAlive: true, reason: 'no heartbeat for 200 s' };
    expect(decideStalledAttempt(running, outcome({ updatedAt: ago(2) }), stale)).toEqual({
      kind: 'watch',
    });
    expect(
      decideStalledAttempt(running, outcome({ status: 'running', updatedAt: ago(2) }), stale),
    ).toEqual({ kind: 'watch' });
    // Another host: liveness unknown, the fresh outcome is the sign of life.
    expect(
      decideStalledAttempt(running, outcome({ updatedAt: ago(2) }), {
        ...stale,
        supervisorAlive: undefined,
      }),
    ).toEqual({ kind: 'watch' });
    // A stale outcome of a live supervisor: its end is known, so it is recorded.
    expect(decideStalledAttempt(running, outcome({ updatedAt: ago(61) }), stale).kind).toBe(
      'ended',
    );
  });

  it('records an unknown end lost, with why the supervisor could not write', () => {
    expect(
      decideStalledAttempt(running, outcome({ status: 'running', exitCode: null }), gone),
    ).toEqual({ kind: 'lost', reason: `supervisor 4242 on box is gone (${ENOSPC})` });
    // A dead supervisor's fresh outcome is no sign of life.
    expect(
      decideStalledAttempt(running, outcome({ status: 'running', updatedAt: ago(1) }), gone).kind,
    ).toBe('lost');
  });
});

describe('endedFromOutcomeRecord', () => {
  it('writes the end with finalWriteError from recordError', () => {
    const record = endedFromOutcomeRecord(running, outcome(), new Date(NOW));
    expect(record).toMatchObject({
      status: 'succeeded',
      attempt: 1,
      exitCode: 0,
      signal: null,
      error: null,
      finishedAt: ago(190),
      updatedAt: ago(0),
      finalWriteError: {
        code: 'ENOSPC',
        file: '/root/once/progress.json',
        message: expect.stringMatching(/^ENOSPC .*; recorded from outcome\.json by the launcher/),
        tries: 1,
      },
    });
    const failed = endedFromOutcomeRecord(
      running,
      outcome({ status: 'failed', exitCode: 3, error: 'exited with code 3', recordError: null }),
      new Date(NOW),
    );
    expect(failed).toMatchObject({
      status: 'failed',
      exitCode: 3,
      error: 'exited with code 3',
      finalWriteError: { code: null, file: null, message: expect.stringMatching(/^recorded/) },
    });
  });
});

const test = testWithTempDir('runboard-attempt-ending-');

describe('reconcilePlan with a hand-written outcome.json', () => {
  test('a run whose supervisor died on a full disk after the job succeeded is succeeded, not lost', async ({
    dir,
  }) => {
    const plan = resolvePlan(
      {
        retries: 1,
        runs: [
          { id: 'once', command: ['./once.sh'] },
          { id: 'unknown', command: ['./once.sh'] },
        ],
      },
      { baseDir: dir },
    );
    const now = new Date().toISOString();
    for (const id of ['once', 'unknown']) {
      await writeJson(join(plan.root, id, 'progress.json'), { ...running, id, updatedAt: now });
    }
    await writeJson(join(plan.root, 'once', 'outcome.json'), outcome({ updatedAt: now }));
    await writeJson(
      join(plan.root, 'unknown', 'outcome.json'),
      outcome({ status: 'running', exitCode: null, finishedAt: null, updatedAt: now }),
    );

    const reconciled = await reconcilePlan(plan, {
      launcher: { host: 'box', pid: 1 },
      isProcessAlive: () => false,
      stopOrphanedJob: async () => undefined,
    });

    expect(reconciled.map((item) => [item.run.id, item.decision, item.record?.status])).toEqual([
      ['once', { kind: 'done', outcome: 'succeeded' }, 'succeeded'],
      ['unknown', { kind: 'pending' }, 'queued'],
    ]);
    expect(await readJson(join(plan.root, 'once', 'progress.json'))).toMatchObject({
      status: 'succeeded',
      exitCode: 0,
      finalWriteError: { code: 'ENOSPC' },
    });
    expect(await readJson(join(plan.root, 'unknown', 'progress.json'))).toMatchObject({
      status: 'queued',
      error: `lost: supervisor 4242 on box is gone (${ENOSPC})`,
    });
  });
});
