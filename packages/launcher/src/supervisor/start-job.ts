import { spawn, type ChildProcess } from 'node:child_process';
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

/**
 * Starts the job in its own process group (`detached`, so the whole group can be signalled),
 * stdin `/dev/null`, with `RUNBOARD_RUN_ID`, `RUNBOARD_RUN_DIR`, `RUNBOARD_ATTEMPT` and
 * `CUDA_VISIBLE_DEVICES` (from `gpus`) in its environment. Resolves once it runs, or with the
 * error that kept it from starting (`ENOENT`, `EACCES`).
 *
 * @example
 * const started = await startJob(resolved, claimed);
 * if ('error' in started) console.error(started.error.code);
 */
export async function startJob(
  options: ResolvedSupervisorOptions,
  claimed: RunRecord,
): Promise<StartedJob | { error: NodeJS.ErrnoException }> {
  const env: NodeJS.ProcessEnv = {
    ...(options.env ?? process.env),
    RUNBOARD_RUN_ID: claimed.id,
    RUNBOARD_RUN_DIR: options.runDir,
    RUNBOARD_ATTEMPT: String(claimed.attempt),
  };
  if (options.gpus) env.CUDA_VISIBLE_DEVICES = options.gpus.join(',');
  const child = spawn(options.command[0], options.command.slice(1), {
    cwd: options.cwd,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const started = await new Promise<{ error?: NodeJS.ErrnoException }>((resolve) => {
    child.once('spawn', () => resolve({}));
    child.once('error', (error) => resolve({ error }));
  });
  // Later errors (a failed kill) must not crash the supervisor.
  child.on('error', () => {});
  if (started.error || child.pid === undefined)
    return { error: started.error ?? Object.assign(new Error('no pid'), { code: undefined }) };
  const exited = new Promise<JobExit>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  return { child, pid: child.pid, exited };
}
