import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { SlurmCommandError, SlurmMissingError } from './slurm-errors.js';

/** The Slurm client commands the executor calls. */
export type SlurmCommand = 'sbatch' | 'squeue' | 'scancel' | 'sinfo' | 'scontrol';

/** Runs Slurm commands: where they are found and the environment they get. */
export interface SlurmCommandRunner {
  /** Resolves with the command's stdout; rejects with a typed error. */
  run(
    command: SlurmCommand,
    args: readonly string[],
    options?: { input?: string; env?: NodeJS.ProcessEnv },
  ): Promise<string>;
  /** Commands run so far, by name (the benchmark counts `squeue` calls). */
  readonly calls: Record<SlurmCommand, number>;
}

/** One Slurm command must answer within this (slurmctld busy or down). */
const COMMAND_TIMEOUT_MS = 60_000;

/**
 * A runner for Slurm's client commands, found on `PATH` or in `binDir`.
 * A missing command rejects with {@link SlurmMissingError}, a failing one with
 * {@link SlurmCommandError} carrying Slurm's message.
 *
 * @example
 * const slurm = createSlurmCommandRunner();
 * const jobId = (await slurm.run('sbatch', ['--parsable', 'job.sh'])).trim();
 */
export function createSlurmCommandRunner(options: { binDir?: string } = {}): SlurmCommandRunner {
  const calls: Record<SlurmCommand, number> = {
    sbatch: 0,
    squeue: 0,
    scancel: 0,
    sinfo: 0,
    scontrol: 0,
  };
  return {
    calls,
    run(command, args, runOptions = {}) {
      calls[command]++;
      const file = options.binDir === undefined ? command : join(options.binDir, command);
      return new Promise((resolve, reject) => {
        const child = execFile(
          file,
          [...args],
          { env: runOptions.env ?? process.env, timeout: COMMAND_TIMEOUT_MS, maxBuffer: 64 << 20 },
          (error, stdout, stderr) => {
            if (!error) return resolve(stdout);
            if ((error as NodeJS.ErrnoException).code === 'ENOENT')
              return reject(new SlurmMissingError(command, { cause: error }));
            const exitCode = typeof error.code === 'number' ? error.code : null;
            reject(
              new SlurmCommandError(command, exitCode, stderr || error.message, { cause: error }),
            );
          },
        );
        if (runOptions.input !== undefined) child.stdin?.end(runOptions.input);
      });
    },
  };
}
