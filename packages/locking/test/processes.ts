import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { isAbsolute, join } from 'node:path';

const fixturesDir = join(import.meta.dirname, 'fixtures');
const running = new Set<ChildProcess>();

/** A TypeScript script in its own process, with its stdout split into lines. */
export interface Fixture {
  child: ChildProcess;
  lines: string[];
  /** Resolves with the first stdout line that satisfies `match`. */
  waitForLine(match: (line: string) => boolean, timeoutMs?: number): Promise<string>;
  /** Resolves with the exit code (or signal name) once the child has exited. */
  exited: Promise<number | string>;
  stderr(): string;
}

/**
 * Runs `script` (a file in `test/fixtures/`, or an absolute path) through tsx with the workspace
 * source condition, or a `.py` script with python3. Used by the tests and by the benchmark
 * (which imports no vitest).
 */
export function spawnFixture(
  script: string,
  args: Array<string | number>,
  env: NodeJS.ProcessEnv = {},
): Fixture {
  const path = isAbsolute(script) ? script : join(fixturesDir, script);
  const [command, ...options] = path.endsWith('.py')
    ? ['python3']
    : [process.execPath, '--import', 'tsx', '--conditions=@runboard/source'];
  const child = spawn(command as string, [...options, path, ...args.map(String)], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  running.add(child);
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
      running.delete(child);
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
            reject(new Error(`${script} exited before the expected line; stderr:\n${errors}`)),
          );
        }
      };
      const timer = setTimeout(
        () =>
          done(() =>
            reject(new Error(`${script}: no expected line in ${timeoutMs} ms; stderr:\n${errors}`)),
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

/** Kills every fixture still running (SIGKILL), waits for it to exit, and empties the list. */
export async function killAll(fixtures: Fixture[]): Promise<void> {
  await Promise.all(
    fixtures.map(async (fixture) => {
      if (running.has(fixture.child)) fixture.child.kill('SIGKILL');
      await fixture.exited;
    }),
  );
  fixtures.length = 0;
}

// A benchmark that fails half-way must not leave its workers behind.
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});
