import { constants } from 'node:os';
import type { SlurmExecutorSettings } from '../../../plan/executor-schema.js';
import type { ResolvedPlan } from '../../../plan/resolve-plan.js';
import type { RunRecord } from '../../../run-folder/run-record.js';
import { readRunRecord, updateRunRecord } from '../../../run-folder/run-records.js';
import { isTerminalStatus } from '../../../run-folder/run-status.js';
import { buildExecArgs } from '../exec-args.js';
import type { ExecExit, ExecSpec, Executor, StartedExec } from '../executor.js';
import { readJobCompletion } from './jobcomp.js';
import { QueueActions } from './queue-actions.js';
import { jobResources, jobScript, sbatchArgs } from './sbatch-job.js';
import { createSlurmCommandRunner, type SlurmCommandRunner } from './slurm-commands.js';
import { findJobCompFile } from './slurm-config.js';
import { SlurmCommandError, SlurmMissingError, SlurmSubmitError } from './slurm-errors.js';
import { checkSlurmPlan, slurmMessage } from './slurm-plan-check.js';
import { SlurmQueue } from './slurm-queue.js';

/** Settings of {@link createSlurmExecutor}. */
export interface SlurmExecutorOptions {
  /** The plan; its `executor` must be `{ kind: 'slurm', … }`. */
  plan: ResolvedPlan;
  /** The runboard CLI on the compute nodes when the plan's `executor.runboard` names none; default `runboard`. */
  runboard?: string;
  /** How often `squeue` is asked (one call for all jobs). Default 2000 ms. */
  pollIntervalMs?: number;
  /** A running job not stopped by its supervisor this long after a cancel request is `scancel`ed. Default 30 s. */
  cancelGraceSeconds?: number;
  /** Folder of Slurm's commands (default: found on `PATH`). */
  binDir?: string;
  /** The environment jobs start from (default `process.env`; sbatch exports it to the job). */
  env?: NodeJS.ProcessEnv;
  /** Slurm's `jobcomp/filetxt` log; default: `JobCompLoc` from `scontrol show config`; null: none. */
  jobCompFile?: string | null;
}

/** The Slurm executor, with its queue and command counts for tests and the benchmark. */
export interface SlurmExecutor extends Executor {
  readonly queue: SlurmQueue;
  readonly slurm: SlurmCommandRunner;
  close(): void;
}

/** How long a leftover job of an earlier attempt may take to leave the queue after `scancel`. */
const LEFTOVER_TIMEOUT_MS = 30_000;

/**
 * Runs each attempt as one Slurm job (`sbatch --parsable`) whose script runs `runboard exec` on
 * the compute node; the supervisor writes the run folder on the shared filesystem as everywhere.
 * Slurm hands out the GPUs (`gres`) and schedules; runboard keeps dependencies, retries and the
 * `concurrency` cap on jobs in the queue. One `squeue` call per interval follows all jobs: a
 * pending job's record shows Slurm's reason, a cancel request `scancel`s it, and a job that left
 * the queue ends its attempt (how, from Slurm's job completion log where there is one).
 *
 * The job id goes into the record right after the submission (`executor: { kind: 'slurm', jobId }`),
 * and the job carries its run folder and attempt in its comment: a restarted launcher finds the
 * claim of a pending job kept fresh by the queue poll and watches it instead of submitting again.
 *
 * @throws {PlanError} when a partition does not exist or Slurm rejects the plan's resources.
 * @throws {SlurmMissingError} when Slurm's commands are not installed.
 * @example
 * const executor = await createSlurmExecutor({ plan });
 * await launch({ plan, executor });
 */
export async function createSlurmExecutor(options: SlurmExecutorOptions): Promise<SlurmExecutor> {
  const { plan } = options;
  const settings = plan.executor;
  if (settings?.kind !== 'slurm')
    throw new TypeError('Expected `plan.executor` to be { kind: "slurm", … }');
  const slurm = createSlurmCommandRunner({ binDir: options.binDir });
  await checkSlurmPlan(plan, settings, slurm);
  const jobCompFile =
    options.jobCompFile === undefined
      ? await findJobCompFile(slurm)
      : (options.jobCompFile ?? undefined);
  const actions = new QueueActions({
    slurm,
    root: plan.root,
    claimRefreshMs: (plan.stalledAfterSeconds * 1000) / 4,
    cancelGraceMs: (options.cancelGraceSeconds ?? 30) * 1000,
  });
  const queue = new SlurmQueue(slurm, {
    intervalMs: options.pollIntervalMs ?? 2000,
    onPoll: (jobs) => actions.run(jobs),
  });
  await queue.refresh();
  if (queue.lastError) throw queue.lastError;
  queue.start();
  const submitter = new JobSubmitter(settings, options, slurm, queue, jobCompFile);
  return {
    name: 'slurm',
    queue,
    slurm,
    start: (spec) => submitter.start(spec),
    // Jobs run on other nodes, and a pending job holds its claim for its launcher: the
    // records' heartbeats (kept fresh by the queue poll while pending) decide.
    isProcessAlive: () => undefined,
    stopOrphanedJob: (record, runDir) => submitter.cancelLive(record, runDir),
    close: () => queue.close(),
  };
}

/** Submits attempts and follows each until its job leaves the queue. */
class JobSubmitter {
  readonly #runs: Map<string, ResolvedPlan['runs'][number]>;

  constructor(
    readonly settings: SlurmExecutorSettings,
    readonly options: SlurmExecutorOptions,
    readonly slurm: SlurmCommandRunner,
    readonly queue: SlurmQueue,
    readonly jobCompFile: string | undefined,
  ) {
    this.#runs = new Map(options.plan.runs.map((run) => [run.id, run]));
  }

  async start(spec: ExecSpec): Promise<StartedExec> {
    // An earlier attempt's job still queued (its launcher died before recording it): never two.
    // The last answer of the queue suffices: one squeue per interval, not per submission.
    await this.cancelLive(undefined, spec.runDir, { fresh: false });
    const jobId = await this.#submit(spec);
    await updateRunRecord(spec.runDir, (current) =>
      current?.attempt === spec.attempt && !isTerminalStatus(current.status)
        ? { ...current, executor: { kind: 'slurm', jobId } }
        : undefined,
    );
    let pid: number | undefined;
    const exited = this.queue.gone(jobId).then(async (): Promise<ExecExit> => {
      const record = await readRunRecord(spec.runDir).catch(() => undefined);
      if (record?.attempt === spec.attempt && record.supervisorPid) pid = record.supervisorPid;
      const completion = this.jobCompFile
        ? await readJobCompletion(this.jobCompFile, jobId)
        : undefined;
      return {
        code: completion?.exitCode ?? null,
        signal: signalName(completion?.signal),
        supervisorEnded: true,
      };
    });
    return {
      // The supervisor's pid on the node, once the job has left the queue: the job's end is
      // its supervisor's, so an attempt left unfinished is judged lost at once.
      get pid() {
        return pid;
      },
      exited,
      detach: () => {},
      // Its end shows first in its record: the queue is polled every few seconds.
      endPollMs: 250,
    };
  }

  /**
   * `scancel`s the live job of the run folder (an orphan, or an earlier attempt's leftover) and
   * waits for it to leave the queue. Resolves with the number of jobs cancelled.
   */
  async cancelLive(
    record: RunRecord | undefined,
    runDir: string,
    options: { fresh?: boolean } = {},
  ): Promise<number> {
    if (options.fresh !== false) await this.queue.refresh();
    const job =
      this.queue.jobOf(runDir) ??
      (record?.executor?.jobId ? this.queue.jobs.get(record.executor.jobId) : undefined);
    if (!job) return 0;
    const gone = this.queue.gone(job.jobId);
    await this.slurm.run('scancel', [job.jobId]).catch(() => undefined);
    await this.queue.refresh();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      gone,
      new Promise((resolve) => (timer = setTimeout(resolve, LEFTOVER_TIMEOUT_MS))),
    ]);
    clearTimeout(timer);
    return 1;
  }

  async #submit(spec: ExecSpec): Promise<string> {
    const run = this.#runs.get(spec.runId);
    const resources = jobResources(this.settings, run?.slurm);
    const runboard = this.settings.runboard ?? this.options.runboard ?? 'runboard';
    const env: NodeJS.ProcessEnv = { ...(this.options.env ?? process.env), ...spec.env };
    delete env.CUDA_VISIBLE_DEVICES; // Slurm sets it for the GPUs it gives
    const script = jobScript(runboard, buildExecArgs({ ...spec, gpus: [] }));
    try {
      const output = await this.slurm.run('sbatch', sbatchArgs(spec, resources), {
        input: script,
        env,
      });
      return output.trim().split(';')[0];
    } catch (error) {
      if (error instanceof SlurmMissingError || !(error instanceof SlurmCommandError)) throw error;
      throw new SlurmSubmitError('sbatch', error.exitCode, slurmMessage(error), { cause: error });
    }
  }
}

function signalName(signal: number | null | undefined): NodeJS.Signals | null {
  if (!signal) return null;
  const entry = Object.entries(constants.signals).find(([, number]) => number === signal);
  return (entry?.[0] as NodeJS.Signals | undefined) ?? null;
}
