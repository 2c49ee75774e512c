import { spawn } from 'node:child_process';

/** What one command printed, and how it ended. */
export interface CommandResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Killed after `timeoutMs` without an end. */
  timedOut: boolean;
  stdout: string;
  stderr: string;
}

/**
 * Runs `program` with `args` to its end, collecting its output; `input` is written to its stdin
 * (none: stdin is closed). After `timeoutMs` it is killed (SIGKILL) and its stderr says so.
 * Rejects only when the program cannot be started.
 *
 * @example
 * const { code, stdout } = await runCommand('sh', ['-c', 'hostname'], { timeoutMs: 30_000 });
 */
export function runCommand(
  program: string,
  args: readonly string[],
  options: { input?: string; timeoutMs: number },
): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, {
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    if (options.input !== undefined) {
      child.stdin!.on('error', () => undefined);
      child.stdin!.end(options.input);
    }
    const timer = setTimeout(() => {
      stderr += `\nno answer in ${options.timeoutMs} ms`;
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, timedOut, stdout, stderr });
    });
  });
}
