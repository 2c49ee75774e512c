import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { test as base } from 'vitest';
import { RUN_FILES, runRecordSchema, type RunRecord } from '../src/index.js';

export const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));
export const MARK_JOB = join(FIXTURES, 'launch', 'mark-job.mjs');

/**
 * Bundles a TypeScript entry (workspace imports from source) into one .mjs file, so that each
 * of the many supervisor and launcher processes these tests start loads in a fraction of what
 * tsx needs (measured 0.35 s against 1–2 s on the loaded 2-core machine).
 */
export async function bundleEntry(entry: string, outFile: string): Promise<string> {
  await build({
    entryPoints: [entry],
    outfile: outFile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    conditions: ['@runboard/source'],
    logLevel: 'error',
    banner: {
      js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
    },
  });
  return outFile;
}

let bundles: Promise<{ exec: string; launcher: string }> | undefined;

/** The bundled supervisor (test/fixtures/exec-entry.ts) and launcher entries, built once per test file. */
export function entryBundles(): Promise<{ exec: string; launcher: string }> {
  bundles ??= (async () => {
    const dir = await mkdtemp(join(tmpdir(), 'runboard-bundles-'));
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    const [exec, launcher] = await Promise.all([
      bundleEntry(join(FIXTURES, 'exec-entry.ts'), join(dir, 'exec-entry.mjs')),
      bundleEntry(join(FIXTURES, 'launch', 'launcher-entry.ts'), join(dir, 'launcher-entry.mjs')),
    ]);
    return { exec, launcher };
  })();
  return bundles;
}

/** The `execCommand` for the launcher: the bundled supervisor entry. */
export async function execCommand(): Promise<string[]> {
  return [process.execPath, (await entryBundles()).exec];
}

/** A fresh temp folder per test, removed afterwards (with every process its runs left behind). */
export const test = base.extend<{ dir: string }>({
  // eslint-disable-next-line no-empty-pattern
  dir: async ({}, use) => {
    const dir = await mkdtemp(join(tmpdir(), 'runboard-launch-'));
    try {
      await use(dir);
    } finally {
      killRunProcesses(join(dir, 'logs'));
      await rm(dir, { recursive: true, force: true, maxRetries: 5 });
    }
  },
});

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

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `check` every 50 ms until it returns a value other than undefined, null or false, or times out. */
export async function waitFor<T>(
  check: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  timeoutMs: number,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== null && value !== false) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(50);
  }
}
