import type { ResolvedPlan } from '../../plan/resolve-plan.js';
import type { Executor } from './executor.js';
import type { LocalExecutorOptions } from './local-executor.js';
import { createLocalExecutor } from './local-executor.js';
import type { SlurmExecutorOptions } from './slurm/slurm-executor.js';
import { createSlurmExecutor } from './slurm/slurm-executor.js';

/** Settings of {@link createPlanExecutor}: each executor's, beyond what the plan says. */
export interface PlanExecutorOptions {
  local: LocalExecutorOptions;
  slurm?: Omit<SlurmExecutorOptions, 'plan'>;
}

/**
 * The executor the plan asks for (`executor.kind`): local processes by default, or Slurm jobs.
 *
 * @throws {PlanError} when Slurm rejects the plan's partition or resources.
 * @throws {SlurmMissingError} when the plan asks for Slurm and its commands are not installed.
 * @example
 * const executor = await createPlanExecutor(plan, { local: { execCommand: [process.execPath, bin, 'exec'] } });
 * await launch({ plan, executor });
 */
export async function createPlanExecutor(
  plan: ResolvedPlan,
  options: PlanExecutorOptions,
): Promise<Executor> {
  if (plan.executor?.kind === 'slurm') return createSlurmExecutor({ ...options.slurm, plan });
  return createLocalExecutor(options.local);
}
