import { slurmJobFromEnv } from './slurm-job.js';
import { superviseRun } from './supervise-run.js';
import type { SupervisorOptions } from './supervisor-options.js';

const CANCEL_SIGNALS = ['SIGTERM', 'SIGINT'] as const;

/**
 * Runs {@link superviseRun} as the whole of this process (what `runboard exec` does) and
 * resolves with the exit status to use. SIGTERM and SIGINT cancel the run (recorded
 * `cancelled`, or back to `starting` when Slurm requeued the job of `SLURM_JOB_ID`); SIGHUP
 * is ignored and write errors on stdout/stderr (EPIPE once the launcher that started this
 * process is gone) only stop the copying of output, so the supervisor
 * outlives its parent. Its own errors are printed to stderr and give exit status 1.
 *
 * @example
 * process.exitCode = await runExecProcess({ runDir: 'logs/run_1', command: ['python', 'train.py'] });
 */
export async function runExecProcess(options: SupervisorOptions): Promise<number> {
  const controller = new AbortController();
  const onCancelSignal = (signal: NodeJS.Signals): void =>
    controller.abort(`supervisor received ${signal}`);
  const ignore = (): void => {};
  for (const signal of CANCEL_SIGNALS) process.on(signal, onCancelSignal);
  process.on('SIGHUP', ignore);
  process.stdout.on('error', ignore);
  process.stderr.on('error', ignore);
  try {
    const signal = options.signal
      ? AbortSignal.any([options.signal, controller.signal])
      : controller.signal;
    const slurmJob = options.slurmJob ?? slurmJobFromEnv(process.env);
    const result = await superviseRun({ passThrough: true, ...options, signal, slurmJob });
    return result.exitStatus;
  } catch (error) {
    try {
      process.stderr.write(
        `runboard exec: ${error instanceof Error ? error.message : String(error)}\n`,
      );
    } catch {
      // stderr is gone; nothing else to tell.
    }
    return 1;
  } finally {
    for (const signal of CANCEL_SIGNALS) process.off(signal, onCancelSignal);
    process.off('SIGHUP', ignore);
  }
}
