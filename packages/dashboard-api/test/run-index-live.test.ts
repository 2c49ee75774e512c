import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { watch } from 'chokidar';
import type { FSWatcher } from 'chokidar';
import { describe, expect } from 'vitest';
import type { DashboardWarning } from '../src/errors.js';
import type { RunIndexEvent } from '../src/run-index/run-index.js';
import {
  eventAfter,
  isRunEvent,
  makeRecord,
  showsPercent,
  test,
  watching,
  writeProgress,
  writeRun,
  writeRunWithLog,
} from './test-utils.js';

describe('RunIndex: live updates', () => {
  test('a changed record, a new run and a removed run arrive as events', async ({
    root,
    openIndex,
  }) => {
    await writeRun(root, 'sweep/a');
    const index = await watching(openIndex);
    expect(index.watchMode).toBe('events');

    await eventAfter(index, showsPercent('sweep/a', 70), () => writeProgress(root, 'sweep/a', 7));

    const added = await eventAfter(index, isRunEvent('sweep/new/run'), () =>
      writeRun(root, 'sweep/new/run', { status: 'queued' }),
    );
    expect(added).toMatchObject({ run: { status: 'queued' } });

    await eventAfter(
      index,
      (e) => e.type === 'removed' && e.id === 'sweep/a',
      () => rm(join(root, 'sweep', 'a'), { recursive: true }),
    );
    expect(index.has('sweep/a')).toBe(false);
    expect(index.size).toBe(1);
  });

  test('a folder that becomes a run later, and a record deleted and written again, stay watched', async ({
    root,
    openIndex,
  }) => {
    await writeRun(root, 'sweep/old');
    const index = await watching(openIndex);
    await mkdir(join(root, 'sweep', 'fresh', 'epoch_1'), { recursive: true });
    await new Promise((resolve) => setTimeout(resolve, 300));
    await eventAfter(index, isRunEvent('sweep/fresh'), () =>
      writeRun(root, 'sweep/fresh', { status: 'queued' }),
    );
    // A writer outside runboard: delete, then write in place (no atomic rename).
    const file = join(root, 'sweep', 'old', 'progress.json');
    const writeInPlace = (current: number) =>
      writeFile(
        file,
        JSON.stringify(makeRecord('sweep/old', { progress: { current, total: 10 } })),
      );
    await eventAfter(index, showsPercent('sweep/old', 50), async () => {
      await rm(file);
      await writeInPlace(5);
    });
    await eventAfter(index, showsPercent('sweep/old', 60), () => writeInPlace(6));
    expect(index.ids().sort()).toEqual(['sweep/fresh', 'sweep/old']);
  });

  test('watches run records, not run folders: logs and checkpoints are never listed', async ({
    root,
    openIndex,
  }) => {
    await writeRunWithLog(root, 'sweep/r', 'log\n');
    await mkdir(join(root, 'sweep', 'r', 'epoch_1'));
    let watcher: FSWatcher | undefined;
    const index = await openIndex({
      rescanIntervalMs: 0,
      watcherFactory: (paths, options) => (watcher = watch(paths, options)),
    });
    await index.whenWatching();
    const watched = watcher!.getWatched();
    expect(watched[join(root, 'sweep', 'r')]).toEqual(['progress.json']);
    expect(Object.keys(watched)).not.toContain(join(root, 'sweep', 'r', 'epoch_1'));
  });

  test('two writes within chokidar’s change throttle both land', async ({ root, openIndex }) => {
    await writeRun(root, 'r');
    const index = await watching(openIndex);
    await eventAfter(index, showsPercent('r', 90), async () => {
      await writeProgress(root, 'r', 5);
      await writeProgress(root, 'r', 9);
    });
    expect(index.get('r')?.percent).toBe(90);
  });

  test('keeps the last good record when progress.json turns corrupt, and recovers', async ({
    root,
    openIndex,
  }) => {
    await writeRun(root, 'r', { progress: { current: 4, total: 10 } });
    await writeRun(root, 'other');
    const index = await watching(openIndex, { readDeadlineMs: 50 });
    // A foreign writer truncating in place, then dying: the file stays broken.
    const broken = await eventAfter(
      index,
      isRunEvent('r', (e) => e.run.status === 'unreadable'),
      () => writeFile(join(root, 'r', 'progress.json'), '{"schemaVersion": 1, "id"'),
    );
    expect(broken).toMatchObject({
      run: {
        status: 'unreadable',
        storedStatus: 'running',
        percent: 40,
        readError: { code: 'RUNBOARD_JSON_PARSE' },
      },
    });
    expect(index.get('other')?.status).toBe('running');
    const recovered = await eventAfter(
      index,
      isRunEvent('r', (e) => e.run.status === 'running'),
      () => writeProgress(root, 'r', 6),
    );
    expect(recovered).toMatchObject({ run: { readError: null, percent: 60 } });
  });

  test('ignores temp files and lock folders: no events while a locked atomic write happens', async ({
    root,
    openIndex,
  }) => {
    await writeRun(root, 'r');
    const index = await watching(openIndex);
    const events: RunIndexEvent[] = [];
    index.subscribe((event) => events.push(event));
    await mkdir(join(root, 'r', 'progress.json.lock'));
    await writeFile(join(root, 'r', '.progress.json.1.abcdef01.abcdef02.runboard-tmp'), '{');
    await writeFile(join(root, 'r', 'run.log'), 'epoch 1\n');
    await writeFile(join(root, 'r', 'metrics.jsonl'), '{}\n');
    await mkdir(join(root, 'queue.json.lock'));
    await writeFile(join(root, 'queue.json.lock', 'owner-0123456789abcdef.json'), '{}');
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(events).toEqual([]);
    expect(index.ids()).toEqual(['r']);
  });

  test('the rescan picks up what no event announced', async ({ root, openIndex }) => {
    const index = await openIndex({ watch: false, rescanIntervalMs: 0 });
    await writeRun(root, 'late');
    expect(index.has('late')).toBe(false);
    await index.rescan();
    expect(index.has('late')).toBe(true);
    await rm(join(root, 'late'), { recursive: true });
    await index.rescan();
    expect(index.has('late')).toBe(false);
  });

  test('with poll: true it polls, and still sees changes', async ({ root, openIndex }) => {
    await writeRun(root, 'r');
    const warnings: DashboardWarning[] = [];
    const index = await openIndex({
      poll: true,
      pollIntervalMs: 50,
      rescanIntervalMs: 0,
      onWarning: (w) => warnings.push(w),
    });
    await index.whenWatching();
    expect(index.watchMode).toBe('poll');
    await eventAfter(index, showsPercent('r', 80), () => writeProgress(root, 'r', 8));
    expect(warnings).toEqual([]);
  });

  test('out of OS watches (ENOSPC from the watcher): one warning, then polling that works', async ({
    root,
    openIndex,
  }) => {
    await writeRun(root, 'r');
    const warnings: DashboardWarning[] = [];
    const index = await openIndex({
      rescanIntervalMs: 0,
      pollIntervalMs: 50,
      onWarning: (warning) => warnings.push(warning),
      // The real watcher, which then reports what fs.watch throws when inotify has no watches left.
      watcherFactory: (paths, options) => {
        const watcher = watch(paths, options);
        if (!options.usePolling) {
          watcher.once('ready', () => {
            const error = Object.assign(
              new Error('ENOSPC: System limit for number of file watchers reached'),
              {
                code: 'ENOSPC',
              },
            );
            for (let i = 0; i < 3; i += 1) watcher.emit('error', error);
          });
        }
        return watcher;
      },
    });
    await index.whenWatching();
    expect(index.watchMode).toBe('poll');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({
      name: 'DashboardWarning',
      code: 'RUNBOARD_DASHBOARD_POLLING',
    });
    expect(warnings[0].message).toMatch(/ran out of file watches \(ENOSPC\).*polling every 50 ms/);
    await eventAfter(index, showsPercent('r', 20), () => writeProgress(root, 'r', 2));
  });
});
