import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { watch } from 'chokidar';
import type { FSWatcher } from 'chokidar';
import { afterEach, describe, expect } from 'vitest';
import type { DashboardSummary } from '../src/run-index/summary.js';
import { eventAfter, test, writeRun } from './test-utils.js';

// Issue 15: what lets the index serve 100,000 runs (the benchmark holds the numbers).

const writeRoundsFixture = fileURLToPath(new URL('./fixtures/write-rounds.ts', import.meta.url));
const stopChildren: (() => void)[] = [];

afterEach(() => {
  for (const stop of stopChildren.splice(0)) stop();
});

/** The record files the watchers watch, relative to `root`. */
function watchedRecords(watchers: FSWatcher[], root: string): string[] {
  const records: string[] = [];
  for (const watcher of watchers)
    for (const [dir, names] of Object.entries(watcher.getWatched()))
      if (names.includes('progress.json'))
        records.push(join(dir, 'progress.json').slice(root.length + 1));
  return records.sort();
}

async function writeRuns(root: string, groups: number, perGroup: number): Promise<void> {
  for (let g = 0; g < groups; g += 1)
    await Promise.all(
      Array.from({ length: perGroup }, (_, i) =>
        writeRun(root, `g${g}/run_${i}`, { status: i % 4 === 0 ? 'running' : 'succeeded' }),
      ),
    );
}

describe('RunIndex at scale', () => {
  test.for([
    ['OS events', false],
    ['polling (--poll, a shared file system)', true],
  ] as const)(
    'with %s, only active runs’ records are watched; a finished run’s change comes with the stat sweep',
    async ([, poll], { root, openIndex }) => {
      await writeRun(root, 'g/active');
      await writeRun(root, 'g/done', { status: 'succeeded' });
      const watchers: FSWatcher[] = [];
      const index = await openIndex({
        poll,
        pollIntervalMs: 50,
        rescanIntervalMs: 300,
        watcherFactory: (paths, options) => {
          const watcher = watch(paths, options);
          watchers.push(watcher);
          return watcher;
        },
      });
      await index.whenWatching();
      expect(index.watchMode).toBe(poll ? 'poll' : 'events');
      expect(watchedRecords(watchers, root)).toEqual(['g/active/progress.json']);

      // A finished run retried (written queued): seen by the sweep, then watched.
      await eventAfter(
        index,
        (event) =>
          event.type === 'run' && event.run.id === 'g/done' && event.run.status === 'queued',
        () => writeRun(root, 'g/done', { status: 'queued' }),
      );
      await expect.poll(() => watchedRecords(watchers, root)).toContain('g/done/progress.json');
      // An active run that finishes is no longer watched.
      await eventAfter(
        index,
        (event) =>
          event.type === 'run' && event.run.id === 'g/active' && event.run.status === 'failed',
        () => writeRun(root, 'g/active', { status: 'failed' }),
      );
      await expect.poll(() => watchedRecords(watchers, root)).toEqual(['g/done/progress.json']);
    },
  );

  test('in the background, the summary says "indexing N / M" until the index is complete', async ({
    root,
    openIndex,
  }) => {
    await writeRuns(root, 3, 200);
    const index = await openIndex({
      background: true,
      concurrency: 2,
      summaryIntervalMs: 0,
      liveLaunchers: false,
    });
    const progress: DashboardSummary['indexing'][] = [];
    index.subscribe((event) => {
      if (event.type === 'summary') progress.push(event.summary.indexing);
    });
    expect(index.summary().indexing).toEqual({ indexed: index.size, total: null });
    expect(index.size).toBeLessThan(600);
    await index.whenIndexed();
    expect(index.size).toBe(600);
    expect(index.summary()).toMatchObject({ total: 600, indexing: null });
    await expect.poll(() => progress.at(-1)).toBeNull();
    const during = progress.filter((value) => value !== null);
    // Counted up, never back; the total known once the walk found every run, before the reads.
    const counted = during.map((value) => value.indexed);
    expect(counted).toEqual([...counted].sort((a, b) => a - b));
    expect(during.every((value) => value.total === null || value.total === 600)).toBe(true);
    expect(during.some((value) => value.total === 600 && value.indexed < 600)).toBe(true);
  });

  test('no change is lost while the index is being built: a writer process writes during the first scan', async ({
    root,
    openIndex,
  }) => {
    await writeRuns(root, 4, 150);
    const rounds = 25;
    const count = 20;
    for (let i = 0; i < count; i += 1) await writeRun(root, `w/run_${i}`);
    const writer = spawn(
      process.execPath,
      ['--import', 'tsx', writeRoundsFixture, root, 'w/run_', String(count), String(rounds)],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    stopChildren.push(() => writer.kill('SIGKILL'));
    const exited = new Promise<number | null>((resolve) => writer.once('exit', resolve));
    await new Promise((resolve) => createInterface({ input: writer.stdout }).once('line', resolve));

    const index = await openIndex({ background: true, rescanIntervalMs: 0, liveLaunchers: false });
    const lastSeen = new Map<string, number>();
    index.subscribe((event) => {
      if (event.type === 'run' && event.run.id.startsWith('w/'))
        lastSeen.set(event.run.id, event.run.record?.progress?.current ?? -1);
    });
    expect(await exited).toBe(0);
    await index.whenIndexed();
    await index.whenWatching();
    // Every run's last write arrived as an event (and is what the index holds).
    const missed = () =>
      Array.from({ length: count }, (_, i) => `w/run_${i}`)
        .map((id) => [id, lastSeen.get(id), index.get(id)?.record?.progress?.current] as const)
        .filter(([, seen, held]) => seen !== rounds || held !== rounds);
    await expect.poll(missed, { timeout: 10_000 }).toEqual([]);
    expect(index.size).toBe(600 + count);
  }, 30_000);
});
