import { mkdir, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { watch } from 'chokidar';
import type { FSWatcher } from 'chokidar';
import { describe, expect } from 'vitest';
import { DashboardRootError } from '../src/errors.js';
import type { DashboardWarning } from '../src/errors.js';
import type { RunIndex, RunIndexEvent, RunIndexOptions } from '../src/run-index/run-index.js';
import { eventAfter, makeRecord, snapshotTree, test, writeRun } from './test-utils.js';
import type { Fixtures } from './test-utils.js';

const isRunEvent =
  (id: string, check: (event: Extract<RunIndexEvent, { type: 'run' }>) => boolean = () => true) =>
  (event: RunIndexEvent): boolean =>
    event.type === 'run' && event.run.id === id && check(event);

/** A `run` event of `id` showing `percent`. */
const showsPercent = (id: string, percent: number) =>
  isRunEvent(id, (event) => event.run.percent === percent);

/** An index with its watcher in place (and no periodic rescan to hide a missed event). */
async function watching(
  openIndex: Fixtures['openIndex'],
  options: Partial<RunIndexOptions> = {},
): Promise<RunIndex> {
  const index = await openIndex({ rescanIntervalMs: 0, ...options });
  await index.whenWatching();
  return index;
}

/** Writes run `id` at `current` of 10 (as runboard's writers do). */
const writeProgress = (root: string, id: string, current: number) =>
  writeRun(root, id, { progress: { current, total: 10 } });

describe('RunIndex: the first scan', () => {
  test('finds run folders at any depth; the id is the relative path', async ({
    root,
    openIndex,
  }) => {
    await writeRun(root, 'a');
    await writeRun(root, 'sweep/lr=0.1,seed=2');
    await writeRun(root, 'benchmarks/change_detection/cdd/Changer-s50_run_2', {
      status: 'succeeded',
    });
    const index = await openIndex({ watch: false });
    expect(index.ids().sort()).toEqual([
      'a',
      'benchmarks/change_detection/cdd/Changer-s50_run_2',
      'sweep/lr=0.1,seed=2',
    ]);
    expect(index.get('benchmarks/change_detection/cdd/Changer-s50_run_2')).toMatchObject({
      status: 'succeeded',
      storedStatus: 'succeeded',
      percent: 100,
      readError: null,
    });
  });

  test('skips hidden folders, lock folders, temp files, symbolic links, runs inside runs and bad names', async ({
    root,
    openIndex,
    outside,
  }) => {
    await writeRun(root, 'real');
    await writeRun(root, '.hidden/run');
    await writeRun(root, 'plan.json.lock/run');
    await writeRun(root, 'real/epoch_1'); // inside a run folder: not a run of its own
    await writeRun(root, 'bad name/run'); // a space cannot be part of a run id
    await writeRun(root, 'x/log'); // `log` names a route
    await writeFile(join(root, 'real', '.progress.json.123.abcdef01.abcdef02.runboard-tmp'), '{');
    await writeRun(outside, 'escaped');
    await symlink(outside, join(root, 'link'));
    const index = await openIndex({ watch: false });
    expect(index.ids()).toEqual(['real']);
  });

  test('a corrupt, empty or truncated progress.json is `unreadable`; the other runs are unaffected', async ({
    root,
    openIndex,
  }) => {
    await writeRun(root, 'good');
    for (const [id, text] of [
      ['corrupt', 'not json at all'],
      ['empty', ''],
      ['truncated', '{"schemaVersion": 1, "id": "truncated", "sta'],
      ['not-a-record', '{"hello": "world"}'],
    ]) {
      await mkdir(join(root, id));
      await writeFile(join(root, id, 'progress.json'), text);
    }
    const at = Date.parse('2026-01-01T00:00:00Z');
    const index = await openIndex({ watch: false, readDeadlineMs: 50, clock: () => at });
    expect(index.get('good')).toMatchObject({ status: 'running', readError: null });
    expect(index.get('corrupt')).toMatchObject({
      status: 'unreadable',
      record: null,
      readError: { code: 'RUNBOARD_JSON_PARSE', at: '2026-01-01T00:00:00.000Z' },
    });
    expect(index.get('empty')?.readError?.message).toMatch(/empty/);
    expect(index.get('truncated')?.readError?.code).toBe('RUNBOARD_JSON_PARSE');
    expect(index.get('not-a-record')?.readError).toMatchObject({
      code: 'RUNBOARD_JSON_VALIDATION',
    });
    expect(index.get('not-a-record')?.readError?.message).toMatch(
      /not a valid run record: schemaVersion/,
    );
    expect(index.summary().counts).toMatchObject({ running: 1, unreadable: 4 });
  });

  test('fails clearly for a missing root', async ({ root, openIndex }) => {
    await expect(openIndex({ root: join(root, 'missing') })).rejects.toBeInstanceOf(
      DashboardRootError,
    );
    await expect(openIndex({ root: join(root, 'missing') })).rejects.toMatchObject({
      code: 'RUNBOARD_DASHBOARD_BAD_ROOT',
    });
  });

  test('validates options', async ({ openIndex }) => {
    await expect(openIndex({ concurrency: 0 })).rejects.toThrow(
      new TypeError('Expected `concurrency` to be an integer ≥ 1'),
    );
    await expect(openIndex({ rescanIntervalMs: -1 })).rejects.toThrow(TypeError);
  });
});

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
    await writeRun(root, 'sweep/r');
    await writeFile(join(root, 'sweep', 'r', 'run.log'), 'log\n');
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

describe('RunIndex: derived states', () => {
  test('a running run turns stalled when its heartbeat ages past the threshold (by the injected clock)', async ({
    root,
    openIndex,
  }) => {
    const start = Date.parse('2026-01-01T00:00:00Z');
    const clock = { now: start };
    await writeRun(root, 'r', { heartbeatAt: new Date(start).toISOString() });
    const index = await openIndex({
      watch: false,
      clock: () => clock.now,
      thresholds: { stalledAfterSeconds: 60 },
      isProcessAlive: false,
    });
    expect(index.get('r')?.status).toBe('running');
    clock.now = start + 61_000;
    const stalled = await eventAfter(index, isRunEvent('r'), async () => index.refresh());
    expect(stalled).toMatchObject({
      run: { status: 'stalled', storedStatus: 'running', derivedState: 'stalled' },
    });
    expect(index.list({ status: ['stalled'] }).total).toBe(1);
    expect(index.summary().generatedAt).toBe('2026-01-01T00:01:01.000Z');
  });

  test('a running run whose supervisor is gone on this host is stalled at once', async ({
    root,
    openIndex,
  }) => {
    await writeRun(root, 'r', { host: 'this-host', supervisorPid: 999_999 });
    const index = await openIndex({
      watch: false,
      isProcessAlive: (host, pid) => (host === 'this-host' ? pid !== 999_999 : undefined),
    });
    expect(index.get('r')?.status).toBe('stalled');
  });

  test('outdated after the threshold when one is set', async ({ root, openIndex }) => {
    const finishedAt = new Date(Date.now() - 3600_000).toISOString();
    await writeRun(root, 'old', { status: 'succeeded', finishedAt });
    const index = await openIndex({ watch: false, thresholds: { outdatedAfterSeconds: 60 } });
    expect(index.get('old')?.status).toBe('outdated');
  });
});

describe('RunIndex: guarantees', () => {
  test('never writes into the root', async ({ root, openIndex }) => {
    await writeRun(root, 'a/r1');
    await writeRun(root, 'a/r2', { status: 'succeeded' });
    await mkdir(join(root, 'bad'));
    await writeFile(join(root, 'bad', 'progress.json'), '{');
    const before = await snapshotTree(root);
    const index = await openIndex({
      readDeadlineMs: 20,
      refreshIntervalMs: 10,
      rescanIntervalMs: 50,
    });
    await index.whenWatching();
    index.list({ sort: 'status' });
    index.summary();
    await new Promise((resolve) => setTimeout(resolve, 200));
    await index.close();
    expect(await snapshotTree(root)).toEqual(before);
  });

  test('close() ends subscriptions and stops watching', async ({ root, openIndex }) => {
    await writeRun(root, 'r');
    const index = await openIndex();
    await index.whenWatching();
    let closed = 0;
    const events: RunIndexEvent[] = [];
    index.subscribe(
      (event) => events.push(event),
      () => (closed += 1),
    );
    expect(index.subscriberCount).toBe(1);
    await index.close();
    expect(closed).toBe(1);
    expect(index.subscriberCount).toBe(0);
    expect(index.watchMode).toBe('off');
    await writeRun(root, 'r', { progress: { current: 9, total: 10 } });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(events).toEqual([]);
  });

  test('a folder moved in with many runs is indexed', async ({ root, outside, openIndex }) => {
    const index = await watching(openIndex);
    for (let i = 0; i < 20; i += 1) await writeRun(outside, `batch/run_${i}`);
    await rename(join(outside, 'batch'), join(root, 'batch'));
    await expect.poll(() => index.size).toBe(20);
  });
});
