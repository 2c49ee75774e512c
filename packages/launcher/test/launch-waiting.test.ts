import { join } from 'node:path';
import { describe, expect, vi } from 'vitest';
import {
  launch,
  loadPlan,
  queuedWaiting,
  readLiveLaunchers,
  type LaunchEvent,
  type RunRecord,
} from '../src/index.js';
import { localExecutor, markJob, readRecords, test, writePlan } from './launch-helpers.js';

/** Launches `plan` in this process; `during` runs while it does, then the launch is awaited. */
async function launchWhile(
  dir: string,
  plan: Record<string, unknown>,
  during: (root: string, events: LaunchEvent[]) => Promise<void>,
) {
  const file = await writePlan(dir, { heartbeatSeconds: 1, stalledAfterSeconds: 10, ...plan });
  const events: LaunchEvent[] = [];
  const controller = new AbortController();
  const launched = launch({
    plan: await loadPlan(file),
    executor: await localExecutor({ ...process.env, MARK_LOG: join(dir, 'marks.log') }),
    signal: controller.signal,
    onEvent: (event) => events.push(event),
  });
  const root = join(dir, 'logs');
  try {
    await during(root, events);
  } catch (error) {
    controller.abort(new Error('test failed'));
    await launched;
    throw error;
  }
  return { result: await launched, events, root };
}

const waitForRecord = (root: string, id: string, check: (record: RunRecord) => boolean) =>
  vi.waitFor(
    () => {
      const record = readRecords(root).get(id);
      if (!record || !check(record)) throw new Error(`${id}: ${JSON.stringify(record?.waiting)}`);
      return record;
    },
    { timeout: 15_000, interval: 50 },
  );

describe('launch: why a queued run waits', () => {
  test('a run waiting for dependencies says which; one waiting for a slot writes nothing; the launcher is registered', async ({
    dir,
  }) => {
    const { result, root } = await launchWhile(
      dir,
      {
        concurrency: 1,
        runs: [
          { id: 'a', command: markJob(1500) },
          { id: 'b', command: markJob(20), dependsOn: ['a'] },
          { id: 'c', command: markJob(20) },
          { id: 'd', command: markJob(20), dependsOn: ['a', 'c'] },
        ],
      },
      async (root) => {
        await waitForRecord(root, 'a', (record) => record.status === 'running');
        const b = await waitForRecord(root, 'b', (record) => record.waiting != null);
        expect(b.waiting).toEqual({ reason: 'dependency', detail: 'a', since: expect.any(String) });
        const d = await waitForRecord(root, 'd', (record) => record.waiting != null);
        expect(d.waiting).toMatchObject({ reason: 'dependency', detail: 'a, c' });
        const c = readRecords(root).get('c')!;
        expect(c).toMatchObject({ status: 'queued' });
        expect(c.waiting ?? null).toBeNull();
        const live = await readLiveLaunchers(root);
        expect(live).toEqual([
          expect.objectContaining({ pid: process.pid, plan: join(dir, 'plan.json') }),
        ]);
        expect(queuedWaiting(c, live.length)).toEqual({ reason: 'slot' });
        expect(queuedWaiting(c, 0)).toEqual({ reason: 'no-launcher' });
        expect(queuedWaiting(b, 1)).toMatchObject({ reason: 'dependency' });
        // Once `a` succeeded, d still waits for c only.
        await waitForRecord(root, 'd', (record) => record.waiting?.detail === 'c');
        await waitForRecord(root, 'd', (record) => record.status === 'succeeded');
      },
    );

    expect(result).toMatchObject({ completed: true, exitCode: 0, succeeded: 4 });
    for (const record of readRecords(root).values()) expect(record.waiting ?? null).toBeNull();
    expect(await readLiveLaunchers(root)).toEqual([]);
  });

  test('a retry waiting out its delay says until when; the retrying event promises no start', async ({
    dir,
  }) => {
    const state = join(dir, 'state');
    const { result } = await launchWhile(
      dir,
      {
        retries: 1,
        retryDelaySeconds: 2,
        runs: [{ id: 'flaky', command: markJob(20, '--fail-times', '1', '--state', state) }],
      },
      async (root, events) => {
        const flaky = await waitForRecord(root, 'flaky', (record) => record.waiting != null);
        expect(flaky).toMatchObject({
          status: 'queued',
          attempt: 1,
          waiting: { reason: 'retry-delay', until: expect.any(String) },
        });
        const retrying = events.find((event) => event.type === 'retrying');
        expect(retrying).toMatchObject({ failedAttempt: 1, retryAfter: flaky.waiting?.until });
        expect(Date.parse(flaky.waiting?.until ?? '')).toBe(
          Date.parse(flaky.finishedAt ?? '') + 2000,
        );
        await waitForRecord(root, 'flaky', (record) => record.status === 'succeeded');
      },
    );
    expect(result).toMatchObject({ completed: true, exitCode: 0 });
  });
});
