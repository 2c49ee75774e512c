import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { RunRecord } from '@runboard/launcher';
import { testWithTempDir } from '@runboard/test-kit';
import { readStatus } from '../../src/status/read-status.js';

export const cliBin = join(import.meta.dirname, '..', '..', 'bin', 'runboard.js');

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliProcess {
  child: ChildProcess;
  result: Promise<CliResult>;
  output: () => string;
}

export interface CliOptions {
  cwd?: string;
  timeoutMs?: number;
  /** Added to this process's environment (`undefined` removes a variable). */
  env?: NodeJS.ProcessEnv;
}

/** Starts the built CLI with output on pipes (plain lines, no live display, no colours). */
export function startRunboard(args: string[], options: CliOptions = {}): CliProcess {
  const child = spawn(process.execPath, [cliBin, ...args], {
    cwd: options.cwd,
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: undefined, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: options.timeoutMs ?? 60_000,
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const result = new Promise<CliResult>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { child, result, output: () => stdout + stderr };
}

/** Runs the built CLI to its end. */
export function runboard(args: string[], options: CliOptions = {}): Promise<CliResult> {
  return startRunboard(args, options).result;
}

/** The readable records under `root`, by run id, read the way `runboard status` reads them. */
export async function readRecords(root: string): Promise<Map<string, RunRecord>> {
  const { runs } = await readStatus({ root });
  return new Map(runs.flatMap((run) => (run.record ? [[run.id, run.record]] : [])));
}

/** SIGKILLs the process groups of the supervisors and jobs that records under `root` name. */
export async function killRuns(root: string): Promise<void> {
  const records = await readRecords(root).catch(() => new Map<string, RunRecord>());
  for (const record of records.values()) {
    for (const pid of [record.supervisorPid, record.pid]) {
      if (!pid) continue;
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // gone already
      }
    }
  }
}

/**
 * A fresh temp folder per test (`dir`; plans put their runs in `dir/logs`), removed afterwards
 * with every process those runs left behind.
 */
export const test = testWithTempDir('runboard-cli-', (dir) => killRuns(join(dir, 'logs')));
