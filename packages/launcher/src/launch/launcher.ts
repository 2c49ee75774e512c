import { checkObjectOption } from '@runboard/locking';
import type { ResolvedPlan } from '../plan/resolve-plan.js';
import type { Executor } from './executors/executor.js';
import type { GpuStatus } from './gpus/nvidia-smi.js';
import type { LaunchEvent, LaunchReporter } from './launch-events.js';
import type { LaunchResult } from './launch-result.js';
import { LaunchSession } from './launch-session.js';
import type { LauncherIdentity } from './record-transitions.js';

/** Settings of {@link launch}. */
export interface LaunchOptions {
  plan: ResolvedPlan;
  /** Starts each attempt's `runboard exec`: the one the plan asks for (see `createPlanExecutor`). */
  executor: Executor;
  /** Failed-for-good and cancelled runs get a fresh set of attempts. */
  retryFailed?: boolean;
  /** Aborting stops new starts; the promise then resolves with `interrupted: true`, runs go on. */
  signal?: AbortSignal;
  reporter?: LaunchReporter;
  onEvent?: (event: LaunchEvent) => void;
  /** How often records of runs this launcher did not start are read. Default 100 ms. */
  pollIntervalMs?: number;
  /** How often records of its own runs are read (progress, and as a fallback). Default 500 ms. */
  ownPollIntervalMs?: number;
  /** Who claims runs. Default: this host and process. */
  launcher?: LauncherIdentity;
  /** Where GPU use comes from for `gpuPolicy`. Default: `nvidia-smi`. */
  readGpuStatus?: () => Promise<GpuStatus>;
}

/**
 * Runs a plan to the end: reconciles it with the run folders, then starts what is not done
 * (dependencies first, within `concurrency` and the GPU slots), retries failures, watches runs
 * started by others, and resolves when every run is final or `signal` aborts.
 *
 * Runs are claimed under their lock before they start, so two launchers on one root, or a
 * restarted one, never start the same run twice; started runs are detached and outlive the
 * launcher, and the next launcher adopts them.
 *
 * @throws {GpuPolicyUnavailableError} when the plan has a `gpuPolicy` and nvidia-smi cannot be asked.
 * @example
 * const plan = await loadPlan('plan.json');
 * const executor = await createPlanExecutor(plan, { local: { execCommand: [process.execPath, bin, 'exec'] } });
 * const result = await launch({ plan, executor });
 * process.exitCode = result.exitCode;
 */
export async function launch(options: LaunchOptions): Promise<LaunchResult> {
  checkObjectOption('options', options);
  checkObjectOption('plan', options.plan);
  checkObjectOption('executor', options.executor);
  // A Slurm plan's runs must not quietly run here, without the resources they ask for.
  if (options.plan.executor?.kind === 'slurm' && options.executor.name !== 'slurm')
    throw new TypeError(
      'Expected `executor` to be a Slurm executor for this plan (createPlanExecutor)',
    );
  return new LaunchSession(options).run();
}
