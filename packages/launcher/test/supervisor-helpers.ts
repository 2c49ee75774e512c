import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { test as base } from 'vitest';
import { RUN_FILES, runRecordSchema, type RunRecord } from '../src/run-folder/index.js';
import { isProcessAlive } from '@runboard/locking';
import { makeTempDir, removeTempDir } from '@runboard/test-kit';
import {
  metricsLineSchema,
  signalProcessGroup,
  superviseRun,
  type MetricsLine,
  type SupervisorOptions,
  type SupervisorResult,
} from '../src/index.js';

const here = dirname(fileURLToPath(import.meta.url));

/** Absolute path of a job fixture in `test/fixtures/jobs/`. */
export function jobPath(name: string): string {
  return join(here, 'fixtures', 'jobs', name);
}

/**
 * The argv of a job fixture run by this Node, its flags given as an object:
 * `nodeJob('report-marker.mjs', { steps: 5, torn: true })` runs it with `--steps 5 --torn`.
 */
export function nodeJob(
  name: string,
  flags: Record<string, string | number | true> = {},
): string[] {
  const args = Object.entries(flags).flatMap(([flag, value]) =>
    value === true ? [`--${flag}`] : [`--${flag}`, String(value)],
  );
  return [process.execPath, jobPath(name), ...args];
}

/**
 * The command that runs the supervisor from source, like `runboard exec` (tsx by absolute URL,
 * so it works whatever the working directory).
 */
export const EXEC_ENTRY = [
  process.execPath,
  '--import',
  pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href,
  '--conditions=@runboard/source',
  join(here, 'fixtures', 'exec-entry.mjs'),
];

/** A real, tiny file system (tmpfs) that a test can fill up and free again. */
export interface SmallDisk {
  /** Its mount point (empty at the start). */
  dir: string;
  /** Fills it with a `filler` file until `ENOSPC`: every later write that needs a block fails. */
  fill: () => void;
  /** Deletes the filler. */
  free: () => void;
}

export interface SupervisorTestContext {
  /** A 2 MiB tmpfs, unmounted after the test; the test is skipped where it cannot be mounted. */
  smallDisk: SmallDisk;
  /** A fresh temp folder, removed after the test. */
  dir: string;
  /** `<dir>/run`: the run folder. */
  runDir: string;
  /** Process group ids to SIGKILL after the test (jobs, supervisors). */
  groups: number[];
  /** Starts the exec entry in its own process group (killed after the test). */
  startExec: (args: string[], options?: { stdio?: 'pipe' | 'ignore' }) => ChildProcess;
  /** `superviseRun` in this process, with a 1 s kill grace; aborted and awaited after the test. */
  supervise: (options: SupervisorOptions) => Promise<SupervisorResult>;
}

export const test = base.extend<SupervisorTestContext>({
  // eslint-disable-next-line no-empty-pattern
  dir: async ({}, use) => {
    const dir = await makeTempDir('runboard-supervisor-');
    await use(dir);
    await removeTempDir(dir);
  },
  runDir: async ({ dir }, use) => {
    await use(join(dir, 'run'));
  },
  smallDisk: async ({ dir, skip }, use) => {
    const mountPoint = join(dir, 'small-disk');
    const filler = join(mountPoint, 'filler');
    mkdirSync(mountPoint);
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', mountPoint], {
        stdio: 'pipe',
      });
    } catch (error) {
      // Mounting needs root (CAP_SYS_ADMIN): elsewhere the test is skipped, saying why.
      skip(`cannot mount a 2 MiB tmpfs here (${String((error as Error).message).split('\n')[0]})`);
    }
    try {
      await use({
        dir: mountPoint,
        fill: () => fillUntilFull(filler),
        free: () => unlinkSync(filler),
      });
    } finally {
      execFileSync('umount', ['-l', mountPoint]);
    }
  },
  // eslint-disable-next-line no-empty-pattern
  groups: async ({}, use) => {
    const groups: number[] = [];
    await use(groups);
    for (const group of groups) signalProcessGroup(group, 'SIGKILL');
  },
  startExec: async ({ groups }, use) => {
    await use((args, options = {}) => {
      const child = spawn(EXEC_ENTRY[0], [...EXEC_ENTRY.slice(1), ...args], {
        detached: true,
        stdio: options.stdio ?? 'pipe',
      });
      if (child.pid) groups.push(child.pid);
      return child;
    });
  },
  // eslint-disable-next-line no-empty-pattern
  supervise: async ({}, use) => {
    const running: Array<{ controller: AbortController; done: Promise<unknown> }> = [];
    await use((options) => {
      const controller = new AbortController();
      const signal = options.signal
        ? AbortSignal.any([options.signal, controller.signal])
        : controller.signal;
      const result = superviseRun({ killGraceSeconds: 1, ...options, signal });
      running.push({ controller, done: result.catch(() => undefined) });
      return result;
    });
    for (const { controller, done } of running) {
      controller.abort('test teardown');
      await Promise.race([done, sleep(5000)]);
    }
  },
});

/** The run's record, parsed; `undefined` when there is none. */
export function readRecord(runDir: string): RunRecord | undefined {
  const file = join(runDir, RUN_FILES.progress);
  if (!existsSync(file)) return undefined;
  return runRecordSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
}

/** The lines of `metrics.jsonl`, parsed and checked. */
export function readMetricsLines(runDir: string): MetricsLine[] {
  const file = join(runDir, RUN_FILES.metrics);
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => metricsLineSchema.parse(JSON.parse(line)));
}

/** `run.log` as text. */
export function readLog(runDir: string): string {
  return readFileSync(join(runDir, RUN_FILES.log), 'utf8');
}

/** Resolves with the exit code and signal of `child`. */
export function exitOf(
  child: ChildProcess,
): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  }
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

/** Whether every pid has exited (zombies count as exited). */
export function allExited(pids: readonly number[]): boolean {
  return pids.every((pid) => !isProcessAlive(pid));
}

function fillUntilFull(file: string): void {
  const fd = openSync(file, 'a');
  try {
    for (const size of [64 * 1024, 4096, 1]) {
      const block = Buffer.alloc(size, 0x66);
      try {
        for (;;) writeSync(fd, block);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
      }
    }
  } finally {
    closeSync(fd);
  }
}
