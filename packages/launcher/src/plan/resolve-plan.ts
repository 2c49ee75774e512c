import { availableParallelism } from 'node:os';
import { isAbsolute, resolve } from 'node:path';
import { checkNumberOption, checkObjectOption, checkStringOption } from '@runboard/locking';
import { DEFAULT_DERIVED_STATE_THRESHOLDS } from '../run-folder/derived-state.js';
import { runIdProblem } from '../run-folder/run-id.js';
import { checkDependencies } from './check-dependencies.js';
import type { SourcedRunSpec } from './expand-sweeps.js';
import type { SweepValue } from './sweep-template.js';
import { describeBinding, expandSweep } from './expand-sweeps.js';
import { PlanError } from './plan-error.js';
import type { PlanProblem } from './plan-problem.js';
import { problemsFromZodIssues } from './plan-problem.js';
import type { ExecutorSettings, SlurmResources } from './executor-schema.js';
import type { GpuPolicy, PlanInput, RunSpec, SweepSpec } from './plan-schema.js';
import { planSchema, runSpecSchema, sweepSpecSchema } from './plan-schema.js';
import { resolveServers, type ResolvedServer } from './resolve-servers.js';

/** Plan defaults (seconds unless named otherwise). */
export const PLAN_DEFAULTS = {
  root: 'logs',
  gpusPerRun: 1,
  runsPerGpu: 1,
  retries: 0,
  retryDelaySeconds: 0,
  heartbeatSeconds: 10,
  stalledAfterSeconds: DEFAULT_DERIVED_STATE_THRESHOLDS.stalledAfterSeconds,
  stuckAfterSeconds: DEFAULT_DERIVED_STATE_THRESHOLDS.stuckAfterSeconds,
  gpuCheckIntervalSeconds: 10,
} as const;

/** A run with every default applied: what the launcher starts. */
export interface ResolvedRun {
  id: string;
  /** The command as the plan gives it (recorded in `progress.json`). */
  command: string[] | string;
  /** What the supervisor runs: the argv, or `['sh', '-c', command]` for a string. */
  argv: string[];
  /** The plan's env with the run's on top (the launcher's own environment comes under both). */
  env: Record<string, string>;
  /** Absolute working folder of the job. */
  cwd: string;
  /** GPUs the run needs (0: none). */
  gpuCount: number;
  /** Exactly these GPU ids, when the run pins them. */
  pinnedGpus?: number[];
  retries: number;
  /** 1 + retries. */
  maxAttempts: number;
  retryDelaySeconds: number;
  timeoutSeconds?: number;
  dependsOn: string[];
  epochDirs?: { expectedFiles: string[]; total: number; dir?: string };
  /** Slurm resources of this run over the executor's (executor `slurm` only). */
  slurm?: SlurmResources;
  /** The only servers it may start on (a plan with `servers`); absent: any. */
  servers?: string[];
  /** Where the run comes from: `runs[3]`, or `sweeps[0] (model=a, seed=1)`. */
  source: string;
}

/** A plan with sweeps expanded, paths absolute and defaults applied. */
export interface ResolvedPlan {
  /** The plan file, when read from one. */
  file?: string;
  /** Absolute folder of the run folders. */
  root: string;
  /** Runs at once. */
  concurrency: number;
  /** GPU ids to hand out on this machine (empty: none here; a server pool lists them per server). */
  gpus: number[];
  /** The SSH server pool (then `executor` is `{ kind: 'ssh' }`). */
  servers?: ResolvedServer[];
  gpusPerRun: number;
  runsPerGpu: number;
  gpuPolicy?: GpuPolicy & { checkIntervalSeconds: number };
  heartbeatSeconds: number;
  stalledAfterSeconds: number;
  stuckAfterSeconds: number;
  outdatedAfterDays?: number;
  logMaxBytes?: number;
  /** Cap of each run's `metrics.jsonl` (the supervisor's default when absent). */
  metricsMaxBytes?: number;
  /** Where the runs execute (absent: local processes). */
  executor?: ExecutorSettings;
  /** In plan order: `runs` first, then each sweep's runs. */
  runs: ResolvedRun[];
}

export interface ResolvePlanOptions {
  /** The folder relative paths in the plan start from (the plan file's folder). */
  baseDir: string;
  /** The plan file, for messages. */
  file?: string;
  /** Overrides the plan's `root` (already absolute or relative to the process's cwd). */
  root?: string;
  /** Overrides the plan's `concurrency`. */
  concurrency?: number;
}

/**
 * Validates a parsed plan and resolves it: sweeps expanded, ids, dependencies and GPU settings
 * checked, defaults applied.
 *
 * @throws {PlanError} listing every problem by JSON path (`runs[3].command: expected array or string`).
 * @example
 * const plan = resolvePlan(JSON.parse(text), { baseDir: '/work/exp', file: '/work/exp/plan.json' });
 * plan.runs.map((run) => run.id);
 */
export function resolvePlan(input: unknown, options: ResolvePlanOptions): ResolvedPlan {
  checkObjectOption('options', options);
  checkStringOption('baseDir', options.baseDir);
  if (options.concurrency !== undefined)
    checkNumberOption('concurrency', options.concurrency, { integer: true, min: 1 });
  const label = options.file ?? '(plan)';
  const problems: PlanProblem[] = [];
  const parsed = planSchema.safeParse(input);
  if (!parsed.success) problems.push(...problemsFromZodIssues(parsed.error.issues));
  // With structural problems, still check what can be checked (ids, dependencies, GPUs) on the
  // entries that are valid by themselves, so that one pass lists every problem.
  const plan: PartialPlan = parsed.success ? parsed.data : validParts(input);
  const incomplete = !parsed.success;

  const specs: SourcedRunSpec[] = [
    ...(plan.runs ?? []).map((run, index) => ({ ...run, sourcePath: `runs[${index}]` })),
    ...(plan.sweeps ?? []).flatMap((sweep, index) =>
      sweep ? expandSweep(sweep, index, problems) : [],
    ),
  ].filter((spec): spec is SourcedRunSpec => spec.id !== undefined);
  if (specs.length === 0 && problems.length === 0) {
    problems.push({ path: 'runs', message: 'the plan has no runs (add runs or sweeps)' });
  }

  const firstSource = new Map<string, string>();
  for (const spec of specs) {
    const where = describeSource(spec);
    if (spec.binding) {
      const problem = runIdProblem(spec.id);
      if (problem !== undefined) {
        problems.push({
          path: `${spec.sourcePath}.id`,
          message: `invalid run id "${spec.id}" (${describeBinding(spec.binding)}): ${problem}`,
        });
        continue;
      }
    }
    const first = firstSource.get(spec.id);
    if (first !== undefined) {
      problems.push({
        path: `${spec.sourcePath}.id`,
        message: `duplicate run id "${spec.id}"${spec.binding ? ` (${describeBinding(spec.binding)})` : ''}, first at ${first}`,
      });
    } else {
      firstSource.set(spec.id, where);
    }
  }
  checkDependencies(specs, problems, (id) => incomplete && (plan.knownIds?.has(id) ?? true));

  if (incomplete) throw new PlanError(label, problems);

  const gpus = plan.gpus ?? [];
  const gpusPerRun = plan.gpusPerRun ?? PLAN_DEFAULTS.gpusPerRun;
  const runsPerGpu = plan.runsPerGpu ?? PLAN_DEFAULTS.runsPerGpu;
  if (new Set(gpus).size !== gpus.length)
    problems.push({ path: 'gpus', message: 'lists a GPU id twice' });
  if (gpus.length > 0 && gpusPerRun > gpus.length) {
    problems.push({
      path: 'gpusPerRun',
      message: `is ${gpusPerRun} but the plan lists ${gpus.length} GPUs`,
    });
  }
  const servers = resolveServers(plan, specs, problems, runsPerGpu);
  const serverGpus = servers?.some((server) => server.gpus.length > 0) ?? false;
  if (plan.gpuPolicy && !servers && gpus.length === 0)
    problems.push({ path: 'gpuPolicy', message: 'needs the plan to list gpus' });
  if (plan.gpuPolicy && !servers && hostPolicy(plan.gpuPolicy))
    problems.push({ path: 'gpuPolicy', message: 'maxCpuPercent and minFreeRamMiB need servers' });
  if (plan.executor?.kind === 'slurm' && gpus.length > 0)
    problems.push({
      path: 'gpus',
      message: "Slurm hands out the GPUs: ask with executor.gresPerRun or a run's slurm.gres",
    });
  const checkedSpecGpus = new Set<string>();
  for (const spec of specs) {
    if (servers || spec.gpus === undefined || checkedSpecGpus.has(spec.sourcePath)) continue;
    checkedSpecGpus.add(spec.sourcePath); // a sweep's setting is the same for all its runs
    const path = `${spec.sourcePath}.gpus`;
    if (typeof spec.gpus === 'number') {
      if (spec.gpus > 0 && spec.gpus > gpus.length) {
        problems.push({
          path,
          message: `needs ${spec.gpus} GPUs but the plan lists ${gpus.length}`,
        });
      }
    } else {
      const unknown = spec.gpus.filter((id) => !gpus.includes(id));
      if (unknown.length > 0)
        problems.push({ path, message: `GPU ${unknown.join(', ')} not in the plan's gpus` });
      if (new Set(spec.gpus).size !== spec.gpus.length)
        problems.push({ path, message: 'lists a GPU id twice' });
    }
  }
  const heartbeatSeconds = plan.heartbeatSeconds ?? PLAN_DEFAULTS.heartbeatSeconds;
  const stalledAfterSeconds = plan.stalledAfterSeconds ?? PLAN_DEFAULTS.stalledAfterSeconds;
  if (stalledAfterSeconds <= heartbeatSeconds) {
    problems.push({
      path: plan.stalledAfterSeconds === undefined ? 'heartbeatSeconds' : 'stalledAfterSeconds',
      message: `stalledAfterSeconds (${stalledAfterSeconds}) must be longer than heartbeatSeconds (${heartbeatSeconds})`,
    });
  }
  if (problems.length > 0) throw new PlanError(label, problems);

  const baseDir = resolve(options.baseDir);
  const planCwd = plan.cwd === undefined ? baseDir : resolve(baseDir, plan.cwd);
  const root =
    options.root !== undefined
      ? resolve(options.root)
      : resolve(baseDir, plan.root ?? PLAN_DEFAULTS.root);
  const gpuSlots = servers
    ? servers.reduce((sum, server) => sum + server.maxRuns, 0)
    : gpus.length * runsPerGpu;
  const anyGpus = servers ? serverGpus : gpus.length > 0;
  const runs = specs.map((spec): ResolvedRun => {
    const retries = spec.retries ?? plan.retries ?? PLAN_DEFAULTS.retries;
    const pinned = Array.isArray(spec.gpus) ? [...spec.gpus] : undefined;
    const gpuCount =
      pinned?.length ?? (typeof spec.gpus === 'number' ? spec.gpus : anyGpus ? gpusPerRun : 0);
    const timeoutSeconds = spec.timeoutSeconds ?? plan.timeoutSeconds;
    const run: ResolvedRun = {
      id: spec.id,
      command: spec.command,
      argv: typeof spec.command === 'string' ? ['sh', '-c', spec.command] : [...spec.command],
      env: { ...plan.env, ...spec.env },
      cwd:
        spec.cwd === undefined
          ? planCwd
          : isAbsolute(spec.cwd)
            ? spec.cwd
            : resolve(baseDir, spec.cwd),
      gpuCount,
      retries,
      maxAttempts: 1 + retries,
      retryDelaySeconds:
        spec.retryDelaySeconds ?? plan.retryDelaySeconds ?? PLAN_DEFAULTS.retryDelaySeconds,
      dependsOn: [...new Set(spec.dependsOn ?? [])],
      source: describeSource(spec),
    };
    if (pinned) run.pinnedGpus = pinned;
    if (timeoutSeconds !== undefined) run.timeoutSeconds = timeoutSeconds;
    if (spec.progress?.epochDirs) run.epochDirs = { ...spec.progress.epochDirs };
    if (spec.slurm) run.slurm = { ...spec.slurm };
    if (spec.servers) run.servers = [...new Set(spec.servers)];
    return run;
  });

  const resolved: ResolvedPlan = {
    root,
    concurrency:
      options.concurrency ??
      plan.concurrency ??
      // Under Slurm, concurrency caps the jobs in its queue: by default every run may wait there.
      (plan.executor?.kind === 'slurm'
        ? Math.max(1, runs.length)
        : gpuSlots > 0
          ? gpuSlots
          : availableParallelism()),
    gpus: [...gpus],
    gpusPerRun,
    runsPerGpu,
    heartbeatSeconds,
    stalledAfterSeconds,
    stuckAfterSeconds: plan.stuckAfterSeconds ?? PLAN_DEFAULTS.stuckAfterSeconds,
    runs,
  };
  if (options.file !== undefined) resolved.file = options.file;
  if (plan.gpuPolicy) {
    resolved.gpuPolicy = {
      ...plan.gpuPolicy,
      checkIntervalSeconds:
        plan.gpuPolicy.checkIntervalSeconds ?? PLAN_DEFAULTS.gpuCheckIntervalSeconds,
    };
  }
  if (plan.outdatedAfterDays !== undefined) resolved.outdatedAfterDays = plan.outdatedAfterDays;
  if (plan.logMaxBytes !== undefined) resolved.logMaxBytes = plan.logMaxBytes;
  if (plan.metricsMaxBytes !== undefined) resolved.metricsMaxBytes = plan.metricsMaxBytes;
  if (plan.executor) resolved.executor = { ...plan.executor };
  if (servers) {
    resolved.servers = servers;
    resolved.executor ??= { kind: 'ssh' };
  }
  return resolved;
}

interface PartialPlan extends Omit<PlanInput, 'runs' | 'sweeps'> {
  runs?: (RunSpec | { id?: undefined })[];
  sweeps?: (SweepSpec | undefined)[];
  /** Ids of all runs entries with a string id, valid or not; undefined when a sweep is invalid. */
  knownIds?: Set<string>;
}

/** The entries of an invalid plan that are valid by themselves (runs keep their index). */
function validParts(input: unknown): PartialPlan {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return {};
  const value = input as Record<string, unknown>;
  const runs = Array.isArray(value.runs) ? value.runs : [];
  const sweeps = Array.isArray(value.sweeps) ? value.sweeps : [];
  const parsedSweeps = sweeps.map((sweep) => sweepSpecSchema.safeParse(sweep).data);
  const knownIds = parsedSweeps.every(Boolean)
    ? new Set(
        runs
          .map((run) => (run as { id?: unknown } | null)?.id)
          .filter((id): id is string => typeof id === 'string'),
      )
    : undefined;
  return {
    runs: runs.map((run) => runSpecSchema.safeParse(run).data ?? {}),
    sweeps: parsedSweeps,
    knownIds,
  };
}

function hostPolicy(policy: GpuPolicy): boolean {
  return policy.maxCpuPercent !== undefined || policy.minFreeRamMiB !== undefined;
}

function describeSource(spec: SourcedRunSpec): string {
  return spec.binding
    ? `${spec.sourcePath} (${describeBinding(spec.binding as Record<string, SweepValue>)})`
    : spec.sourcePath;
}
