import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';

/** A TypeScript script run in its own process, with its stdout collected as lines. */
export interface Worker {
  child: ChildProcess;
  lines: string[];
  waitForLine(match: (line: string) => boolean, timeoutMs?: number): Promise<string>;
  exited: Promise<void>;
}

const running = new Set<ChildProcess>();

export function startWorker(
  script: string,
  args: Array<string | number>,
  env: NodeJS.ProcessEnv = {},
): Worker {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', '--conditions=@runboard/source', script, ...args.map(String)],
    { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...env } },
  );
  running.add(child);
  const lines: string[] = [];
  const listeners = new Set<() => void>();
  let buffered = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    const parts = (buffered + chunk).split('\n');
    buffered = parts.pop() ?? '';
    lines.push(...parts);
    for (const listener of listeners) listener();
  });
  const exited = new Promise<void>((resolve) =>
    child.once('close', () => {
      running.delete(child);
      resolve();
      for (const listener of listeners) listener();
    }),
  );
  const waitForLine = (match: (line: string) => boolean, timeoutMs = 120_000) =>
    new Promise<string>((resolve, reject) => {
      const timer = setTimeout(
        () => finish(new Error(`${script}: no expected line in ${timeoutMs} ms`)),
        timeoutMs,
      );
      const finish = (error?: Error, line?: string) => {
        clearTimeout(timer);
        listeners.delete(check);
        if (error) reject(error);
        else resolve(line as string);
      };
      const check = () => {
        const line = lines.find(match);
        if (line !== undefined) finish(undefined, line);
        else if (!running.has(child))
          finish(new Error(`${script} exited before the expected line`));
      };
      listeners.add(check);
      check();
    });
  return { child, lines, waitForLine, exited };
}

/** Kills (SIGKILL) every worker still running. */
export async function killWorkers(workers: Worker[]): Promise<void> {
  for (const worker of workers) if (running.has(worker.child)) worker.child.kill('SIGKILL');
  await Promise.all(workers.map((worker) => worker.exited));
}

process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});
