import { spawn, type ChildProcess } from 'node:child_process';
import { statSync } from 'node:fs';
import type { RunRecord } from '../run-folder/run-record.js';
import type { ResolvedSupervisorOptions } from './supervisor-options.js';

/** How the job ended: its exit code, or the signal that ended it. */
export interface JobExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A job that started: its process and its end to come. */
export interface StartedJob {
  child: ChildProcess;
  pid: number;
  exited: Promise<JobExit>;
}

/** Why a job could not be started. */
export interface JobStartFailure {
  /** The error of the step that failed (`spawn`, or `stat` of the working folder). */
  error: NodeJS.ErrnoException;
  /** In plain words, as recorded: `cwd /work/x does not exist`, `could not start python: command not found (ENOENT)`. */
  reason: string;
  /** What a supervisor process exits with: 127 for a missing program, 126 for one not executable, else 1. */
  exitStatus: number;
}

/**
 * Starts the job in its own process group (`detached`, so the whole group can be signalled),
 * stdin `/dev/null`, with `RUNBOARD_RUN_ID`, `RUNBOARD_RUN_DIR`, `RUNBOARD_ATTEMPT` and
 * `CUDA_VISIBLE_DEVICES` (from `gpus`) in its environment. Resolves once it runs, or with why
 * it could not start: a working folder that does not exist (named as such, not as the
 * `spawn … ENOENT` Node reports for it), a missing or not executable program.
 *
 * @example
 * const started = await startJob(resolved, claimed);
 * if ('failure' in started) console.error(started.failure.reason); // 'cwd /work/x does not exist'
 */
export async function startJob(
  options: ResolvedSupervisorOptions,
  claimed: RunRecord,
): Promise<StartedJob | { failure: JobStartFailure }> {
  const cwdFailure = checkWorkingFolder(options.cwd);
  if (cwdFailure) return { failure: cwdFailure };
  const env: NodeJS.ProcessEnv = {
    ...(options.env ?? process.env),
    RUNBOARD_RUN_ID: claimed.id,
    RUNBOARD_RUN_DIR: options.runDir,
    RUNBOARD_ATTEMPT: String(claimed.attempt),
  };
  if (options.gpus) env.CUDA_VISIBLE_DEVICES = options.gpus.join(',');
  const program = options.command[0];
  let child: ChildProcess;
  try {
    child = spawn(program, options.command.slice(1), {
      cwd: options.cwd,
      env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (error) {
    // Node throws at once for some errors (a cwd that became a file since the check).
    return { failure: programFailure(program, error as NodeJS.ErrnoException) };
  }
  const started = await new Promise<{ error?: NodeJS.ErrnoException }>((resolve) => {
    child.once('spawn', () => resolve({}));
    child.once('error', (error) => resolve({ error }));
  });
  // Later errors (a failed kill) must not crash the supervisor.
  child.on('error', () => {});
  if (started.error || child.pid === undefined) {
    const error = started.error ?? Object.assign(new Error('no pid'), { code: undefined });
    return { failure: checkWorkingFolder(options.cwd) ?? programFailure(program, error) };
  }
  const exited = new Promise<JobExit>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  return { child, pid: child.pid, exited };
}

/** Why `cwd` cannot be the job's working folder, or `undefined` when it can. */
function checkWorkingFolder(cwd: string): JobStartFailure | undefined {
  try {
    if (statSync(cwd).isDirectory()) return undefined;
    const error = Object.assign(new Error(`ENOTDIR: not a directory, chdir '${cwd}'`), {
      code: 'ENOTDIR',
      syscall: 'chdir',
      path: cwd,
    });
    return { error, reason: `cwd ${cwd} is not a folder`, exitStatus: 1 };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === 'ENOENT' ? `cwd ${cwd} does not exist` : `cwd ${cwd} cannot be used (${code})`;
    return { error: error as NodeJS.ErrnoException, reason, exitStatus: 1 };
  }
}

/** A program that could not be started: 127 when it is missing, 126 when not executable. */
function programFailure(program: string, error: NodeJS.ErrnoException): JobStartFailure {
  const how =
    error.code === 'ENOENT'
      ? 'command not found (ENOENT)'
      : error.code === 'EACCES'
        ? 'command found but not executable (EACCES)'
        : error.message;
  return {
    error,
    reason: `could not start ${program}: ${how}`,
    exitStatus: error.code === 'ENOENT' ? 127 : error.code === 'EACCES' ? 126 : 1,
  };
}
