import { spawnSync } from 'node:child_process';

/**
 * Why the Slurm tests cannot run here, or `undefined` when the cluster answers with an idle or
 * busy node (`tools/ci/start-slurm.sh` starts one; CI must).
 *
 * @example
 * const skipReason = slurmSkipReason();
 * describe.skipIf(skipReason !== undefined)('on Slurm', () => { ... });
 */
export function slurmSkipReason(): string | undefined {
  const answer = spawnSync('sinfo', ['--noheader', '--format=%T'], {
    encoding: 'utf8',
    timeout: 10_000,
  });
  if (answer.error) return `sinfo is not available (${answer.error.message})`;
  if (answer.status !== 0) return `the Slurm cluster is not up: ${answer.stderr.trim()}`;
  if (!/^(idle|mixed|allocated|completing)/m.test(answer.stdout))
    return `no Slurm node is up (sinfo: ${answer.stdout.trim() || 'nothing'})`;
  return undefined;
}

/**
 * This user's queued Slurm jobs whose comment (runboard puts the run folder there) names a path
 * under `dir`: job id → state.
 *
 * @example
 * expect(queuedSlurmJobsUnder(dir).size).toBe(0);
 */
export function queuedSlurmJobsUnder(dir: string): Map<string, string> {
  const listed = spawnSync('squeue', ['--me', '--noheader', '--format=%i %T %k'], {
    encoding: 'utf8',
    timeout: 10_000,
  });
  const jobs = new Map<string, string>();
  for (const line of (listed.stdout ?? '').split('\n')) {
    const [jobId, state, ...comment] = line.trim().split(' ');
    if (jobId && comment.join(' ').includes(dir)) jobs.set(jobId, state);
  }
  return jobs;
}

/**
 * Cancels every Slurm job a test left under `dir` (clean-up for {@link testWithTempDir}).
 *
 * @example
 * const test = testWithTempDir('runboard-slurm-', cancelSlurmJobsUnder);
 */
export function cancelSlurmJobsUnder(dir: string): void {
  const jobs = [...queuedSlurmJobsUnder(dir).keys()];
  if (jobs.length > 0) spawnSync('scancel', jobs, { timeout: 10_000 });
}
