import { execFile, type ExecFileException } from 'node:child_process';

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
 * Runs `program` with `args` to its end (Node's `execFile`), collecting its output; `input` is
 * written to its stdin, which is closed at once without it. After `timeoutMs` it is killed
 * (SIGKILL) and its stderr says so. Rejects only when the program cannot be started.
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
    const child = execFile(
      program,
      [...args],
      { timeout: options.timeoutMs, killSignal: 'SIGKILL', maxBuffer: 64 << 20, encoding: 'utf8' },
      (error: ExecFileException | null, stdout, stderr) => {
        // A string code is Node's own (ENOENT, EACCES): the program never ran.
        if (typeof error?.code === 'string') return reject(error);
        const timedOut = error?.killed === true && error.signal === 'SIGKILL';
        resolve({
          code: typeof error?.code === 'number' ? error.code : error ? null : 0,
          signal: error?.signal ?? null,
          timedOut,
          stdout,
          stderr: timedOut ? `${stderr}\nno answer in ${options.timeoutMs} ms` : stderr,
        });
      },
    );
    child.stdin?.on('error', () => undefined);
    child.stdin?.end(options.input);
  });
}
