import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunRecord } from '@runboard/launcher';

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

/** Starts the built CLI with output on pipes (plain lines, no live display). */
export function startRunboard(
  args: string[],
  options: { cwd?: string; timeoutMs?: number } = {},
): CliProcess {
  const child = spawn(process.execPath, [cliBin, ...args], {
    cwd: options.cwd,
    env: { ...process.env, NO_COLOR: '1' },
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

export function runboard(
  args: string[],
  options: { cwd?: string; timeoutMs?: number } = {},
): Promise<CliResult> {
  return startRunboard(args, options).result;
}

/** The records under `root`, by run id. */
export function readRecords(root: string): Map<string, RunRecord> {
  const records = new Map<string, RunRecord>();
  const walk = (dir: string) => {
    let names: string[] = [];
    try {
      names = readdirSync(dir);
    } catch {
      return;
    }
    if (names.includes('progress.json')) {
      const record = JSON.parse(readFileSync(join(dir, 'progress.json'), 'utf8')) as RunRecord;
      records.set(record.id, record);
    }
    for (const name of names) if (!name.includes('.')) walk(join(dir, name));
  };
  walk(root);
  return records;
}

/** SIGKILLs the supervisors and jobs that records under `root` name (test clean-up). */
export function killRuns(root: string): void {
  for (const record of readRecords(root).values()) {
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

export async function waitFor<T>(
  check: () => T | undefined | null | false,
  timeoutMs: number,
  what: string,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined && value !== null && value !== false) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
