import { mkdtemp, mkdir, readdir, realpath, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeJson } from '@runboard/json-io';
import type { RunRecord } from '@runboard/launcher';
import { test as base } from 'vitest';
import { RunIndex } from '../src/run-index/run-index.js';
import type { RunIndexEvent, RunIndexOptions } from '../src/run-index/run-index.js';

export interface Fixtures {
  /** A fresh, empty root folder (real path), removed after the test. */
  root: string;
  /** Opens an index that is closed after the test. */
  openIndex: (options?: Partial<RunIndexOptions>) => Promise<RunIndex>;
}

export const test = base.extend<Fixtures>({
  // eslint-disable-next-line no-empty-pattern
  root: async ({}, use) => {
    const root = await realpath(await mkdtemp(join(tmpdir(), 'runboard-dashboard-')));
    try {
      await use(root);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  },
  openIndex: async ({ root }, use) => {
    const opened: RunIndex[] = [];
    try {
      await use(async (options = {}) => {
        const index = await RunIndex.open({ root, onWarning: () => {}, ...options });
        opened.push(index);
        return index;
      });
    } finally {
      await Promise.all(opened.map((index) => index.close()));
    }
  },
});

/** A valid run record; `overrides` replace fields. */
export function makeRecord(id: string, overrides: Partial<RunRecord> = {}): RunRecord {
  const now = new Date().toISOString();
  return {
    schemaVersion: 1,
    id,
    status: 'running',
    attempt: 1,
    command: ['python', 'train.py'],
    host: 'test-host',
    queuedAt: now,
    startedAt: now,
    heartbeatAt: now,
    progressChangedAt: now,
    updatedAt: now,
    progress: { current: 3, total: 10, unit: 'epoch' },
    ...overrides,
  } as RunRecord;
}

/** Writes `<root>/<id>/progress.json` atomically (as runboard's writers do). */
export async function writeRun(
  root: string,
  id: string,
  overrides: Partial<RunRecord> = {},
): Promise<RunRecord> {
  const record = makeRecord(id, overrides);
  await mkdir(join(root, ...id.split('/')), { recursive: true });
  await writeJson(join(root, ...id.split('/'), 'progress.json'), record, { durable: false });
  return record;
}

/** Resolves with the first event that `predicate` accepts, or rejects after `timeoutMs`. */
export function nextEvent(
  index: RunIndex,
  predicate: (event: RunIndexEvent) => boolean,
  timeoutMs = 5000,
): Promise<RunIndexEvent> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`No matching event within ${timeoutMs} ms`));
    }, timeoutMs);
    const stop = index.subscribe((event) => {
      if (!predicate(event)) return;
      clearTimeout(timer);
      stop();
      resolve(event);
    });
  });
}

/** Polls `check` until it returns true, or throws after `timeoutMs`. */
export async function waitFor(
  check: () => boolean | Promise<boolean>,
  timeoutMs = 5000,
  what = 'condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline)
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Every path under `dir` with its size and mtime, to prove nothing was written. */
export async function snapshotTree(dir: string): Promise<Record<string, string>> {
  const result: Record<string, string> = {};
  const visit = async (folder: string): Promise<void> => {
    for (const entry of await readdir(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) await visit(path);
      else {
        const stats = await stat(path).catch(() => undefined);
        result[path] = stats ? `${stats.size}:${stats.mtimeMs}:${stats.ino}` : 'dangling';
      }
    }
  };
  await visit(dir);
  return result;
}
