import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inject } from 'vitest';
import type { EntryBundles } from './global-setup.js';
import {
  createLocalExecutor,
  launch,
  loadPlan,
  RUN_FILES,
  runRecordSchema,
  type LaunchEvent,
  type LaunchOptions,
  type LocalExecutor,
  type RunRecord,
} from '../src/index.js';
import { testWithTempDir } from '@runboard/test-kit';

export const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));
export const MARK_JOB = join(FIXTURES, 'launch', 'mark-job.mjs');

/**
 * The bundled supervisor (test/fixtures/exec-entry.mjs), launcher and standby entries, built
 * once per test run by test/global-setup.ts.
 */
export function entryBundles(): Promise<EntryBundles> {
  return Promise.resolve(inject('runboardBundles'));
}

/** The `execCommand` for the launcher: the bundled supervisor entry. */
export async function execCommand(): Promise<string[]> {
  return [process.execPath, (await entryBundles()).exec];
}

/** The local executor on the bundled supervisor, with the bundled standby program. */
export async function localExecutor(env?: NodeJS.ProcessEnv): Promise<LocalExecutor> {
  const { standby } = await entryBundles();
  return createLocalExecutor({ execCommand: await execCommand(), standbyEntry: standby, env });
}

/** A fresh temp folder per test, removed afterwards (with every process its runs left behind). */
export const test = testWithTempDir('runboard-launch-', (dir) =>
  killRunProcesses(join(dir, 'logs')),
);

/** Writes a plan file into `dir` and returns its path. */
export async function writePlan(
  dir: string,
  plan: Record<string, unknown>,
  name = 'plan.json',
): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, JSON.stringify(plan, null, 2));
  return file;
}

/**
 * Launches `plan` (written into `dir`, heartbeat every second, stalled after 10 s unless it
 * says otherwise) in this process, its jobs marking `dir/marks.log`; resolves with the result,
 * the events, the marks and the records under `dir/logs`.
 */
export async function runPlan(
  dir: string,
  plan: Record<string, unknown>,
  options: Partial<LaunchOptions> = {},
) {
  const file = await writePlan(dir, { heartbeatSeconds: 1, stalledAfterSeconds: 10, ...plan });
  return launchAndCollect(dir, {
    plan: await loadPlan(file),
    executor: await localExecutor({ ...process.env, MARK_LOG: join(dir, 'marks.log') }),
    ...options,
  });
}

/**
 * Runs a launch in this process to its end; resolves with its result, its events, and the
 * marks (`dir/marks.log`) and records (`dir/logs`) it left.
 */
export async function launchAndCollect(dir: string, options: LaunchOptions) {
  const events: LaunchEvent[] = [];
  const result = await launch({ onEvent: (event) => events.push(event), ...options });
  return {
    result,
    events,
    marks: readMarks(join(dir, 'marks.log')),
    records: readRecords(join(dir, 'logs')),
  };
}

/** A mark-job command: `node mark-job.mjs --sleep-ms N …`. */
export function markJob(sleepMs: number, ...extra: string[]): string[] {
  return [process.execPath, MARK_JOB, '--sleep-ms', String(sleepMs), ...extra];
}

export interface Mark {
  /** `stopped`: ended by SIGTERM. */
  kind: 'start' | 'end' | 'stopped';
  runId: string;
  pid: number;
  gpus: string;
  time: number;
  /** Position in the log: the order the writes happened in. */
  line: number;
}

export function readMarks(logFile: string): Mark[] {
  if (!existsSync(logFile)) return [];
  return readFileSync(logFile, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((text, line) => ({ ...(JSON.parse(text) as Omit<Mark, 'line'>), line }));
}

/** Run ids whose jobs ran at the same time as another job of the same run (by log order). */
export function overlappingRuns(marks: readonly Mark[]): string[] {
  const open = new Map<string, Set<number>>();
  const overlapping = new Set<string>();
  for (const mark of marks) {
    const pids = open.get(mark.runId) ?? new Set<number>();
    open.set(mark.runId, pids);
    if (mark.kind === 'start') {
      if (pids.size > 0) overlapping.add(mark.runId);
      pids.add(mark.pid);
    } else {
      pids.delete(mark.pid);
    }
  }
  return [...overlapping];
}

/** The most jobs any one GPU had at once (replaying the log in write order). */
export function peakJobsPerGpu(marks: readonly Mark[]): Map<string, number> {
  const current = new Map<string, number>();
  const peak = new Map<string, number>();
  for (const mark of marks) {
    for (const gpu of mark.gpus === '-' || mark.gpus === '' ? [] : mark.gpus.split(',')) {
      const value = (current.get(gpu) ?? 0) + (mark.kind === 'start' ? 1 : -1);
      current.set(gpu, value);
      peak.set(gpu, Math.max(peak.get(gpu) ?? 0, value));
    }
  }
  return peak;
}

/** Every record under `root` (run ids with `/` included). */
export function readRecords(root: string): Map<string, RunRecord> {
  const records = new Map<string, RunRecord>();
  const walk = (dir: string) => {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return;
    }
    if (names.includes(RUN_FILES.progress)) {
      const record = runRecordSchema.parse(
        JSON.parse(readFileSync(join(dir, RUN_FILES.progress), 'utf8')),
      );
      records.set(record.id, record);
    }
    for (const name of names) if (!name.includes('.')) walk(join(dir, name));
  };
  walk(root);
  return records;
}

/** SIGKILLs the process groups of supervisors and jobs that records under `root` name (test clean-up). */
export function killRunProcesses(root: string): void {
  for (const record of readRecords(root).values()) {
    // A server's pids are another host's (or pid namespace's): killRemoteRuns is for those.
    if (record.server !== undefined) continue;
    for (const pid of [record.supervisorPid, record.pid]) {
      if (!pid) continue;
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // gone already, or not a group leader
      }
    }
  }
}

export interface LauncherProcess {
  child: ChildProcess;
  /** Parsed JSON lines of its stdout so far. */
  events: Record<string, unknown>[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stderr: () => string;
}

/** Starts the bundled launcher entry on `planFile`. */
export async function startLauncher(
  planFile: string,
  env: NodeJS.ProcessEnv = {},
): Promise<LauncherProcess> {
  const { launcher } = await entryBundles();
  const child = spawn(process.execPath, [launcher, planFile], {
    env: { ...process.env, RB_EXEC_COMMAND: JSON.stringify(await execCommand()), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const events: Record<string, unknown>[] = [];
  let buffer = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    const lines = buffer.split('\n');
    buffer = lines.pop()!;
    for (const line of lines) if (line) events.push(JSON.parse(line) as Record<string, unknown>);
  });
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, events, exited, stderr: () => stderr };
}
