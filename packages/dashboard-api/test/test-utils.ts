import { mkdir, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeJson } from '@runboard/json-io';
import { RUN_FILES } from '@runboard/launcher';
import type { GpuStatus, RunRecord } from '@runboard/launcher';
import { FAKE_NVIDIA_SMI, tempDirFixture, writeNvidiaSmiScenario } from '@runboard/test-kit';
import type { NvidiaSmiScenario } from '@runboard/test-kit';
import { test as base } from 'vitest';
import { RunIndex } from '../src/run-index/run-index.js';
import type { RunIndexEvent, RunIndexOptions } from '../src/run-index/run-index.js';
import { startDashboardServer } from '../src/server/start-dashboard-server.js';
import type {
  DashboardServer,
  DashboardServerOptions,
} from '../src/server/start-dashboard-server.js';

export interface Fixtures {
  /** A fresh, empty root folder (real path), removed after the test. */
  root: string;
  /** A fresh folder outside the root (real path), removed after the test. */
  outside: string;
  /** Opens an index that is closed after the test. */
  openIndex: (options?: Partial<RunIndexOptions>) => Promise<RunIndex>;
  /** Starts a dashboard on a free loopback port over `root`, closed after the test. */
  startServer: (options?: Partial<DashboardServerOptions>) => Promise<DashboardServer>;
  /**
   * test-kit's fake `nvidia-smi`, answering with {@link BUSY_GPUS} (for this process and the
   * processes it starts, through `FAKE_NVIDIA_SMI_SCENARIO`) until the test ends.
   */
  nvidiaSmi: string;
}

/**
 * The GPUs the resource tests see: GPU 0 at 87 % with 40536 MiB used, by this process
 * (40000 MiB) and pid 777 (500 MiB); GPU 1 idle and not reporting its utilization.
 */
export const BUSY_GPUS: NvidiaSmiScenario = {
  gpus: [
    {
      utilizationPercent: 87,
      memoryUsedMiB: 40_536,
      processes: [
        { pid: process.pid, usedMemoryMiB: 40_000 },
        { pid: 777, usedMemoryMiB: 500 },
      ],
    },
    { utilizationPercent: '[N/A]', memoryUsedMiB: 0 },
  ],
};

export const test = base.extend<Fixtures>({
  root: tempDirFixture('runboard-dashboard-'),
  outside: tempDirFixture('runboard-outside-'),
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
  startServer: async ({ root }, use) => {
    const started: DashboardServer[] = [];
    try {
      await use(async (options = {}) => {
        const server = await startDashboardServer({
          root,
          port: 0,
          rescanIntervalMs: 0,
          onWarning: () => {},
          ...options,
        });
        started.push(server);
        return server;
      });
    } finally {
      await Promise.all(started.map((server) => server.close()));
    }
  },
  nvidiaSmi: async ({ outside }, use) => {
    const scenario = await writeNvidiaSmiScenario(join(outside, 'gpus.json'), BUSY_GPUS);
    process.env.FAKE_NVIDIA_SMI_SCENARIO = scenario;
    try {
      await use(FAKE_NVIDIA_SMI);
    } finally {
      delete process.env.FAKE_NVIDIA_SMI_SCENARIO;
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

/** Writes run `id` (as {@link writeRun} does) with `text` as its `run.log`; returns the log's path. */
export async function writeRunWithLog(root: string, id: string, text: string): Promise<string> {
  await writeRun(root, id);
  const log = join(root, ...id.split('/'), RUN_FILES.log);
  await writeFile(log, text);
  return log;
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

/** Does `change` and resolves with the first event after it that `predicate` accepts. */
export async function eventAfter(
  index: RunIndex,
  predicate: (event: RunIndexEvent) => boolean,
  change: () => Promise<unknown>,
): Promise<RunIndexEvent> {
  const event = nextEvent(index, predicate);
  await change();
  return event;
}

/** Writes run `id` at `current` of 10 (as runboard's writers do). */
export const writeProgress = (root: string, id: string, current: number) =>
  writeRun(root, id, { progress: { current, total: 10 } });

/** A `run` event of `id` (that `check` accepts, when given). */
export const isRunEvent =
  (id: string, check: (event: Extract<RunIndexEvent, { type: 'run' }>) => boolean = () => true) =>
  (event: RunIndexEvent): boolean =>
    event.type === 'run' && event.run.id === id && check(event);

/** A `run` event of `id` showing `percent`. */
export const showsPercent = (id: string, percent: number) =>
  isRunEvent(id, (event) => event.run.percent === percent);

/** An index with its watcher in place (and no periodic rescan to hide a missed event). */
export async function watching(
  openIndex: Fixtures['openIndex'],
  options: Partial<RunIndexOptions> = {},
): Promise<RunIndex> {
  const index = await openIndex({ rescanIntervalMs: 0, ...options });
  await index.whenWatching();
  return index;
}

/** A stand-in for the `nvidia-smi` query: answers `status` (default: none found), counts calls. */
export function fakeGpuQuery(status: Partial<GpuStatus> = {}) {
  const query = async (): Promise<GpuStatus> => {
    query.calls += 1;
    return {
      available: false,
      gpus: [],
      reason: 'nvidia-smi not found on PATH',
      checkedAt: Date.now(),
      ...status,
    };
  };
  query.calls = 0;
  return query;
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
