import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { testWithTempDir } from '@runboard/test-kit';
import { expect } from 'vitest';
import { isTempFileName } from '../src/temp-files.js';

/** `test` with a fresh temp folder per test, removed afterwards. */
export const test = testWithTempDir('json-io-test-');

export function tempFilesIn(dir: string): string[] {
  return readdirSync(dir).filter((name) => isTempFileName(name));
}

/** Asserts that `dir` holds exactly these files, with this content (nothing left beside them). */
export async function expectFolderToHold(
  dir: string,
  files: Record<string, string>,
): Promise<void> {
  const names = (await readdir(dir)).sort();
  const contents = await Promise.all(names.map((name) => readFile(join(dir, name), 'utf8')));
  expect(Object.fromEntries(names.map((name, index) => [name, contents[index]]))).toEqual(files);
}

/** Blocks this thread (so the event loop) for `ms`, as a long synchronous computation would. */
export function blockEventLoop(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

const children = new Set<ChildProcess>();

/**
 * Runs a fixture from `test/fixtures/` (`.ts` through tsx), optionally under a file size limit
 * (`ulimit -f`, in KiB); see {@link killChildren}.
 */
export function startFixture(
  name: string,
  args: Array<string | number>,
  options: { fileSizeLimitKiB?: number } = {},
): ChildProcess {
  const script = fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
  const loader = name.endsWith('.ts') ? ['--import', 'tsx', '--conditions=@runboard/source'] : [];
  const command = [process.execPath, ...loader, script, ...args.map(String)];
  const limit = options.fileSizeLimitKiB;
  const [file, ...rest] =
    limit === undefined
      ? command
      : ['bash', '-c', `ulimit -f ${limit} && exec "$@"`, 'bash', ...command];
  const child = spawn(file as string, rest, { stdio: ['ignore', 'pipe', 'inherit'] });
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

/** Kills every fixture still running; call it in `afterEach`. */
export function killChildren(): void {
  for (const child of children) child.kill('SIGKILL');
  children.clear();
}

/** Resolves the child's stdout once it exits (rejects on a non-zero exit or after `timeoutMs`). */
export function outputOf(child: ChildProcess, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let output = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`fixture ${child.pid} still running after ${timeoutMs} ms`));
    }, timeoutMs);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(output);
      else reject(new Error(`fixture ${child.pid} exited with ${code ?? signal}: ${output}`));
    });
  });
}

/** Resolves when the child prints `line` on stdout. */
export function lineFrom(child: ChildProcess, line: string, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let buffered = '';
    const timer = setTimeout(
      () => reject(new Error(`no "${line}" from fixture ${child.pid} in ${timeoutMs} ms`)),
      timeoutMs,
    );
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      buffered += chunk;
      if (buffered.split('\n').includes(line)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`fixture ${child.pid} exited (${code ?? signal}) before "${line}"`));
    });
  });
}
