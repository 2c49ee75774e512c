import { execFile } from 'node:child_process';

/** The Slurm job a supervisor runs in, from the variables Slurm sets. */
export interface SlurmJobContext {
  /** `SLURM_JOB_ID`. */
  jobId: string;
  /** `SLURM_RESTART_COUNT`: how often Slurm had requeued the job when this run of it started (0: never). */
  restartCount: number;
}

/** How long `scontrol` may take to answer before the supervisor goes on without it. */
const SCONTROL_TIMEOUT_MS = 10_000;

/**
 * The Slurm job of `env` (a batch job's environment), or `undefined` outside Slurm.
 *
 * @example
 * slurmJobFromEnv({ SLURM_JOB_ID: '42', SLURM_RESTART_COUNT: '1' }); // { jobId: '42', restartCount: 1 }
 */
export function slurmJobFromEnv(env: NodeJS.ProcessEnv): SlurmJobContext | undefined {
  const jobId = env.SLURM_JOB_ID;
  if (!jobId || !/^\d+$/.test(jobId)) return undefined;
  const restartCount = Number(env.SLURM_RESTART_COUNT ?? 0);
  return { jobId, restartCount: Number.isInteger(restartCount) ? restartCount : 0 };
}

/**
 * Slurm's restart count of job `jobId` now (`Restarts=` of `scontrol show job`), or `undefined`
 * when `scontrol` does not answer. Slurm counts a requeue (`scontrol requeue`, preemption in
 * `REQUEUE` mode, a failed node) before it signals the job's processes: a count above the
 * job's own `SLURM_RESTART_COUNT` tells a supervisor that the SIGTERM it got is a requeue,
 * not a cancel or a time limit.
 *
 * @example
 * const requeued = ((await slurmRestartCount('42')) ?? 0) > job.restartCount;
 */
export function slurmRestartCount(jobId: string): Promise<number | undefined> {
  return new Promise((resolve) => {
    execFile(
      'scontrol',
      ['show', 'job', '--oneliner', jobId],
      { timeout: SCONTROL_TIMEOUT_MS, encoding: 'utf8' },
      (error, stdout) => {
        const match = error ? null : /(?:^| )Restarts=(\d+)/.exec(stdout);
        resolve(match ? Number(match[1]) : undefined);
      },
    );
  });
}
