import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeTestRecord } from '@runboard/test-kit';
import { describe, expect } from 'vitest';
import { commandHash, StartUnreachedError, type Executor, type LaunchEvent } from '../src/index.js';
import { runPlan, test } from './launch-helpers.js';

const ofType = <T extends LaunchEvent['type']>(events: LaunchEvent[], type: T) =>
  events.filter((event): event is Extract<LaunchEvent, { type: T }> => event.type === type);

describe('launch: what it says about runs it does not start', () => {
  test('on a fresh root nothing is "done"; a run whose folder cannot be used is unreadable, not done', async ({
    dir,
  }) => {
    // A file where the run folder should be: its record can be neither read nor created.
    await mkdir(join(dir, 'logs'), { recursive: true });
    await writeFile(join(dir, 'logs', 'odd'), 'not a folder');
    const { events, result } = await runPlan(dir, {
      runs: [
        { id: 'a', command: ['true'] },
        { id: 'b', command: ['true'] },
        { id: 'odd', command: ['true'] },
      ],
    });
    expect(ofType(events, 'reconciled')).toEqual([
      { type: 'reconciled', total: 3, done: 0, toStart: 2, adopted: 0, unreadable: 1 },
    ]);
    expect(result).toMatchObject({ succeeded: 2, failed: 1 });
  });

  test('a finished run is skipped with why: --retry-failed would run a failed one; a changed command is named', async ({
    dir,
  }) => {
    const cwd = join(dir, 'work');
    await mkdir(cwd);
    const old = { command: ['false'], env: {}, cwd };
    const now = new Date().toISOString();
    const finished = (id: string, status: string, hash: string) =>
      writeTestRecord(join(dir, 'logs'), {
        schemaVersion: 1,
        id,
        status,
        attempt: 1,
        command: ['false'],
        commandHash: hash,
        exitCode: status === 'failed' ? 1 : 0,
        error: status === 'failed' ? 'exited with code 1' : null,
        finishedAt: now,
        updatedAt: now,
      });
    await finished('fixed', 'failed', commandHash(old));
    await finished('unchanged', 'failed', commandHash({ ...old, command: ['true'] }));
    await finished('same', 'succeeded', commandHash({ ...old, command: ['true'] }));
    await finished('edited', 'succeeded', commandHash(old));
    const { events, records } = await runPlan(dir, {
      cwd: 'work',
      runs: [
        { id: 'fixed', command: ['true'] },
        { id: 'unchanged', command: ['true'] },
        { id: 'same', command: ['true'] },
        { id: 'edited', command: ['true'] },
        { id: 'new', command: ['true'], env: { SEED: '1' } },
      ],
    });

    expect(ofType(events, 'skipped')).toEqual([
      {
        type: 'skipped',
        runId: 'fixed',
        outcome: 'failed',
        attempt: 1,
        error: 'exited with code 1',
        retryFailedWouldRun: true,
        commandChanged: true,
      },
      expect.objectContaining({
        runId: 'unchanged',
        retryFailedWouldRun: true,
        commandChanged: false,
      }),
      expect.objectContaining({
        runId: 'edited',
        outcome: 'succeeded',
        retryFailedWouldRun: false,
        commandChanged: true,
      }),
    ]);
    // The claim stores the hash of what the attempt runs.
    expect(records.get('new')?.commandHash).toBe(
      commandHash({ command: ['true'], env: { SEED: '1' }, cwd }),
    );
    expect(records.get('new')?.waiting ?? null).toBeNull();
  });

  test('a run whose starts never reach their server goes back to the queue 3 times, then fails', async ({
    dir,
  }) => {
    let starts = 0;
    const unreachable: Executor = {
      name: 'unreachable',
      start: async () => {
        starts++;
        throw new StartUnreachedError('gpu-x', { cause: new Error('Connection refused') });
      },
      isProcessAlive: () => undefined,
      stopOrphanedJob: async () => 0,
    };
    const { events, records } = await runPlan(
      dir,
      { runs: [{ id: 'far', command: ['true'], retries: 0 }] },
      { executor: unreachable },
    );
    const requeued = ofType(events, 'warning').filter((event) =>
      /could not reach gpu-x .*queued again/.test(event.message),
    );
    expect(requeued).toHaveLength(3);
    expect(starts).toBe(4);
    // Three attempts given back uncounted; the fourth start counts, and the plan allows one.
    expect(records.get('far')).toMatchObject({
      status: 'failed',
      attempt: 4,
      firstAttempt: 4,
      error: expect.stringMatching(/^could not start: could not reach gpu-x/),
    });
  });
});
