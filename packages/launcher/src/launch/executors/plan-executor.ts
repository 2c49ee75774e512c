import type { ResolvedPlan } from '../../plan/resolve-plan.js';
import type { Executor } from './executor.js';
import type { LocalExecutorOptions } from './local-executor.js';
import { createLocalExecutor } from './local-executor.js';
import type { SlurmExecutorOptions } from './slurm/slurm-executor.js';
import { createSlurmExecutor } from './slurm/slurm-executor.js';
import type { SshExecutorOptions } from './ssh/ssh-executor.js';
import { createSshExecutor } from './ssh/ssh-executor.js';

/** Settings of {@link createPlanExecutor}: each executor's, beyond what the plan says. */
export interface PlanExecutorOptions {
  local: LocalExecutorOptions;
  slurm?: Omit<SlurmExecutorOptions, 'plan'>;
  /** The SSH executor's (its servers on localhost use `local`). */
  ssh?: Omit<SshExecutorOptions, 'plan' | 'local'>;
}

/**
 * The executor the plan asks for (`executor.kind`): local processes by default, a server pool
 * over SSH (a plan with `servers`), or Slurm jobs.
 *
 * @throws {PlanError} when Slurm rejects the plan's partition or resources.
 * @throws {SlurmMissingError} when the plan asks for Slurm and its commands are not installed.
 * @throws {SshHostCheckError} when a server cannot run the plan (root not shared, no runboard).
 * @example
 * const executor = await createPlanExecutor(plan, { local: { execCommand: [process.execPath, bin, 'exec'] } });
 * await launch({ plan, executor });
 */
export async function createPlanExecutor(
  plan: ResolvedPlan,
  options: PlanExecutorOptions,
): Promise<Executor> {
  if (plan.executor?.kind === 'slurm') return createSlurmExecutor({ ...options.slurm, plan });
  if (plan.executor?.kind === 'ssh')
    return createSshExecutor({ ...options.ssh, plan, local: options.local });
  return createLocalExecutor(options.local);
}
