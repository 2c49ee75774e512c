import { spawn, spawnSync } from 'node:child_process';
import { mkdir, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { testWithTempDir } from '@runboard/test-kit';
import type { LockOwner } from '../src/owner.js';
import { createOwnerRecord } from '../src/owner.js';

export type { Fixture } from './processes.js';
export { killAll, spawnFixture } from './processes.js';

/** Whether python3 runs here, for the tests with the Python client of the protocol. */
export const hasPython = spawnSync('python3', ['--version']).status === 0;

/** A vitest `test` with a fresh temporary folder per test, removed afterwards. */
export const test = testWithTempDir('runboard-locking-');

/** Checks an enter/exit log: each line `enter <id>` is directly followed by `exit <id>`. */
export function findOverlaps(log: string): string[] {
  const problems: string[] = [];
  let inside: string | undefined;
  for (const [index, line] of log.trim().split('\n').entries()) {
    const [mark, id] = line.split(' ');
    if (mark === 'enter') {
      if (inside !== undefined)
        problems.push(`line ${index + 1}: ${id} entered while ${inside} was inside`);
      inside = id;
    } else if (mark === 'exit') {
      if (inside !== id)
        problems.push(`line ${index + 1}: ${id} exited but ${inside ?? 'nobody'} was inside`);
      inside = undefined;
    }
  }
  if (inside !== undefined) problems.push(`${inside} never exited`);
  return problems;
}

/** Writes a lock folder for `file` by hand, as another (possibly dead or remote) owner would. */
export async function fabricateLock(
  file: string,
  overrides: Partial<LockOwner>,
  refreshedAt?: Date,
): Promise<{ lockDir: string; recordPath: string; owner: LockOwner }> {
  const owner = { ...createOwnerRecord(), ...overrides };
  const lockDir = `${file}.lock`;
  const recordPath = join(lockDir, `owner-${owner.token}.json`);
  await mkdir(lockDir);
  await writeFile(recordPath, JSON.stringify(owner));
  if (refreshedAt) await utimes(recordPath, refreshedAt, refreshedAt);
  return { lockDir, recordPath, owner };
}

/** Blocks this thread (so the event loop) for `ms`, as a long synchronous computation would. */
export function blockEventLoop(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** The pid of a process that has just exited. */
export async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
  await new Promise((resolve) => child.once('exit', resolve));
  return child.pid as number;
}
