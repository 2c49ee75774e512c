import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test as base } from 'vitest';
import type { LockOwner } from '../src/owner.js';
import { createOwnerRecord } from '../src/owner.js';

const fixturesDir = join(import.meta.dirname, 'fixtures');

/** A child process running a fixture, with its stdout split into lines. */
export interface Fixture {
  child: ChildProcess;
  lines: string[];
  /** Resolves with the first stdout line that satisfies `match`. */
  waitForLine(match: (line: string) => boolean, timeoutMs?: number): Promise<string>;
  /** Resolves with the exit code (or signal name) once the child has exited. */
  exited: Promise<number | string>;
  stderr(): string;
}

export function spawnFixture(name: string, args: string[]): Fixture {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', '--conditions=@runboard/source', join(fixturesDir, name), ...args],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const lines: string[] = [];
  const listeners = new Set<() => void>();
  let buffered = '';
  let errors = '';
  let closed = false;
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    buffered += chunk;
    const parts = buffered.split('\n');
    buffered = parts.pop() ?? '';
    lines.push(...parts);
    for (const listener of listeners) listener();
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (errors += chunk));
  const exited = new Promise<number | string>((resolve) =>
    // 'close' comes after the output is drained ('exit' may come before it).
    child.once('close', (code, signal) => {
      closed = true;
      resolve(code ?? signal ?? -1);
      for (const listener of listeners) listener();
    }),
  );
  const waitForLine = (match: (line: string) => boolean, timeoutMs = 20_000) =>
    new Promise<string>((resolve, reject) => {
      const check = () => {
        const line = lines.find(match);
        if (line !== undefined) return done(() => resolve(line));
        if (closed) {
          done(() =>
            reject(new Error(`${name} exited before the expected line; stderr:\n${errors}`)),
          );
        }
      };
      const timer = setTimeout(
        () =>
          done(() =>
            reject(new Error(`${name}: no expected line in ${timeoutMs} ms; stderr:\n${errors}`)),
          ),
        timeoutMs,
      );
      const done = (settle: () => void) => {
        clearTimeout(timer);
        listeners.delete(check);
        settle();
      };
      listeners.add(check);
      check();
    });
  return { child, lines, waitForLine, exited, stderr: () => errors };
}

/** Kills every fixture still running (SIGKILL) and waits for it to exit. */
export async function killAll(fixtures: Fixture[]): Promise<void> {
  await Promise.all(
    fixtures.map(async (fixture) => {
      if (fixture.child.exitCode === null && fixture.child.signalCode === null)
        fixture.child.kill('SIGKILL');
      await fixture.exited;
    }),
  );
  fixtures.length = 0;
}

/** A vitest `test` with a fresh temporary folder per test, removed afterwards. */
export const test = base.extend<{ dir: string }>({
  // eslint-disable-next-line no-empty-pattern
  dir: async ({}, use) => {
    const dir = await mkdtemp(join(tmpdir(), 'runboard-locking-'));
    await use(dir);
    await rm(dir, { recursive: true, force: true });
  },
});

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

/** The pid of a process that has just exited. */
export async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
  await new Promise((resolve) => child.once('exit', resolve));
  return child.pid as number;
}
