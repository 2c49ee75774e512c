import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readJson } from '@runboard/json-io';
import { acquireLock } from '@runboard/locking';
import { describe, expect } from 'vitest';
import { testWithTempDir, writeTestRecord } from '@runboard/test-kit';
import { requestCancel } from '../run-folder/control-request.js';
import type { RunRecord } from '../run-folder/run-record.js';
import { createRunRecord } from '../run-folder/run-records.js';
import { resolvePlan } from '../plan/resolve-plan.js';
import { dryRunLaunch } from './dry-run.js';
import { reconcilePlan } from './reconcile.js';

// reconcilePlan and dryRunLaunch over real run folders; decideRecord's table is in reconcile.test.ts.

const me = { host: 'box', pid: 1000 };
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
    await writeTestRecord(root, {
      ...base,
      id: 'lost',
      status: 'running',
      attempt: 1,
      host: 'box',
      supervisorPid: 99,
      heartbeatAt: new Date().toISOString(),
    });
    await writeTestRecord(root, {
      ...base,
      id: 'done',
      status: 'succeeded',
      attempt: 1,
    });
    await writeTestRecord(root, {
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
    await writeTestRecord(plan.root, {
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
    const records = () =>
      Promise.all(
        plan.runs.map((run) => readFile(join(plan.root, run.id, 'progress.json'), 'utf8')),
      );
    const written = await records();
    const again = await reconcilePlan(plan, { launcher: me });
    expect(again.every((item) => item.record?.status === 'queued')).toBe(true);
    // Nothing to write: every record is byte for byte what the first pass wrote.
    expect(await records()).toEqual(written);
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
    await writeTestRecord(plan.root, {
      ...base,
      id: 'running',
      status: 'running',
      attempt: 1,
      host: 'elsewhere',
      supervisorPid: 5,
      gpus: [0],
      heartbeatAt: now,
    });
    await writeTestRecord(plan.root, {
      ...base,
      id: 'done',
      status: 'succeeded',
      attempt: 1,
    });
    await writeTestRecord(plan.root, {
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

  test('in a server pool, a running run keeps its server and GPUs, and new runs go around it', async ({
    dir,
  }) => {
    const plan = resolvePlan(
      {
        servers: [
          { name: 'gpu-a', gpus: [0, 1] },
          { name: 'gpu-b', gpus: [0] },
        ],
        runs: ['running', 'a', 'b', 'c'].map((id) => ({ id, command: ['x'] })),
      },
      { baseDir: dir },
    );
    const now = new Date().toISOString();
    await writeTestRecord(plan.root, {
      schemaVersion: 1,
      command: ['x'],
      updatedAt: now,
      id: 'running',
      status: 'running',
      attempt: 1,
      host: 'gpu-a-host',
      supervisorPid: 5,
      server: 'gpu-a',
      gpus: [1],
      heartbeatAt: now,
    });
    const entries = await dryRunLaunch(plan);
    expect(entries.map((entry) => [entry.id, entry.action, entry.server, entry.gpus])).toEqual([
      ['running', 'running', 'gpu-a', [1]],
      ['a', 'start', 'gpu-a', [0]],
      ['b', 'start', 'gpu-b', [0]],
      ['c', 'queue', undefined, undefined],
    ]);
  });
});
