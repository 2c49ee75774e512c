import { hostname } from 'node:os';
import { readControlRequest } from '../run-folder/control-request.js';
import type { RunRecord } from '../run-folder/run-record.js';
import { isTerminalStatus } from '../run-folder/run-status.js';
import type { ResolvedPlan, ResolvedRun } from '../plan/resolve-plan.js';
import { GpuPolicyUnavailableError } from './errors.js';
import { stopOrphanedJob } from './orphaned-job.js';
import type { Executor, ExecExit, ExecSpec, StartedExec } from './executors/executor.js';
import { allowedGpus } from './gpus/gpu-policy.js';
import { withGpuClaims } from './gpus/gpu-claims.js';
import { GpuSlots } from './gpus/gpu-slots.js';
import type { GpuStatus } from './gpus/nvidia-smi.js';
import { readGpuStatus } from './gpus/nvidia-smi.js';
import type {
  LaunchEvent,
  LaunchReporter,
  LaunchSnapshot,
  RunPhase,
  RunSnapshot,
} from './launch-events.js';
import type { RunOutcome } from './reconcile.js';
import { decideRecord, reconcilePlan } from './reconcile.js';
import type { LauncherIdentity } from './record-transitions.js';
import {
  blockedRecord,
  cancelledBeforeStartRecord,
  claimedRecord,
  lostRecord,
  newQueuedRecord,
  requeuedRecord,
  startFailedRecord,
} from './record-transitions.js';
import { readRunRecord, updateRunRecord } from '../run-folder/run-records.js';

/** Settings of {@link launch}. */
export interface LaunchOptions {
  plan: ResolvedPlan;
  /** Starts each attempt's `runboard exec` (see `createLocalExecutor`). */
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

/** How one run of the plan ended, in a {@link LaunchResult}. */
export interface RunResult {
  id: string;
  /** `undefined`: not finished when the launch stopped. */
  outcome?: RunOutcome;
  attempt: number;
  error?: string | null;
}

/** What {@link launch} resolves with. */
export interface LaunchResult {
  /** Every run reached a final state (else the launch was stopped first). */
  completed: boolean;
  /** 0 when every run succeeded, 1 otherwise. */
  exitCode: 0 | 1;
  succeeded: number;
  failed: number;
  cancelled: number;
  unfinished: number;
  runs: RunResult[];
}

interface Entry {
  run: ResolvedRun;
  runDir: string;
  record: RunRecord | undefined;
  phase: 'pending' | 'claiming' | 'active' | 'done';
  /** The next claim takes over a dead launcher's claim (uncounted). */
  reclaim: boolean;
  notBefore?: number;
  /** The attempt this launcher started and still holds the process of. */
  own?: { attempt: number; exec: StartedExec };
  /** GPU slots held (own or watched run). */
  gpus: number[];
  outcome?: RunOutcome;
  error?: string | null;
  /** Operations on one run run one after another. */
  queue: Promise<void>;
  /** Operations queued or running; the scheduler only picks runs with none (their state is settled). */
  operations: number;
  lastOwnPoll: number;
}

const GPU_STATUS_MAX_AGE_MS = 2_000;
const CANCEL_SCAN_INTERVAL_MS = 1_000;
/** How soon a run whose GPUs other launchers' runs hold is looked at again. */
const GPU_RETRY_MS = 250;

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
 * const result = await launch({ plan, executor: createLocalExecutor({ execCommand: [process.execPath, bin, 'exec'] }) });
 * process.exitCode = result.exitCode;
 */
export async function launch(options: LaunchOptions): Promise<LaunchResult> {
  if (typeof options !== 'object' || options === null || !options.plan || !options.executor) {
    throw new TypeError('Expected `plan` and `executor`');
  }
  return new LaunchSession(options).run();
}

class LaunchSession {
  readonly #plan: ResolvedPlan;
  readonly #executor: Executor;
  readonly #identity: LauncherIdentity;
  readonly #options: LaunchOptions;
  readonly #slots: GpuSlots;
  readonly #entries: Entry[] = [];
  readonly #byId = new Map<string, Entry>();
  readonly #startedAt = Date.now();
  #doneAtStart = 0;
  #stopping = false;
  #finished = false;
  #resolve!: () => void;
  readonly #ended = new Promise<void>((resolve) => (this.#resolve = resolve));
  #timers: NodeJS.Timeout[] = [];
  #retryTimer: NodeJS.Timeout | undefined;
  #retryTimerAt = Infinity;
  #pumpScheduled = false;
  #gpuStatus: GpuStatus | undefined;
  #gpuStatusLoading: Promise<void> | undefined;
  #gpuWarningShown = false;
  #pollBusy = false;
  #cancelScanBusy = false;

  constructor(options: LaunchOptions) {
    this.#options = options;
    this.#plan = options.plan;
    this.#executor = options.executor;
    this.#identity = options.launcher ?? { host: hostname(), pid: process.pid };
    this.#slots = new GpuSlots(this.#plan.gpus, this.#plan.runsPerGpu);
  }

  async run(): Promise<LaunchResult> {
    const plan = this.#plan;
    if (plan.gpuPolicy) {
      const status = await this.#readGpuStatus();
      if (!status.available)
        throw new GpuPolicyUnavailableError(status.reason ?? 'nvidia-smi is not available');
      this.#gpuStatus = status;
    }
    const reconciled = await reconcilePlan(plan, {
      launcher: this.#identity,
      retryFailed: this.#options.retryFailed,
    });
    for (const item of reconciled) {
      const entry: Entry = {
        run: item.run,
        runDir: item.runDir,
        record: item.record,
        phase: 'pending',
        reclaim: item.decision.kind === 'reclaim',
        gpus: [],
        queue: Promise.resolve(),
        operations: 0,
        lastOwnPoll: 0,
      };
      if (item.decision.kind === 'pending' && item.decision.notBefore !== undefined)
        entry.notBefore = item.decision.notBefore;
      this.#entries.push(entry);
      this.#byId.set(item.run.id, entry);
    }
    const count = (kinds: string[]) =>
      reconciled.filter((item) => !item.error && kinds.includes(item.decision.kind)).length;
    this.#doneAtStart = reconciled.filter(
      (item) => item.error || item.decision.kind === 'done',
    ).length;
    this.#emit({
      type: 'reconciled',
      total: reconciled.length,
      done: this.#doneAtStart,
      toStart: count(['new', 'pending', 'reclaim']),
      adopted: count(['watch']),
    });
    reconciled.forEach((item, index) => {
      const entry = this.#entries[index];
      if (item.error) {
        this.#emit({ type: 'warning', runId: entry.run.id, message: item.error.message });
        this.#finish(entry, 'failed', item.error.message);
      } else if (item.decision.kind === 'done') {
        this.#finish(entry, item.decision.outcome, item.record?.error);
      } else if (item.decision.kind === 'watch') {
        this.#watch(entry, item.record!);
      }
    });

    const signal = this.#options.signal;
    const onAbort = () =>
      this.#stop(
        signal?.reason instanceof Error
          ? signal.reason.message
          : String(signal?.reason ?? 'aborted'),
      );
    if (signal?.aborted) onAbort();
    else signal?.addEventListener('abort', onAbort, { once: true });

    this.#timers.push(setInterval(() => this.#poll(), this.#options.pollIntervalMs ?? 100));
    this.#timers.push(setInterval(() => this.#scanPendingCancels(), CANCEL_SCAN_INTERVAL_MS));
    if (plan.gpuPolicy) {
      this.#timers.push(
        setInterval(() => this.#refreshGpuStatus(), plan.gpuPolicy.checkIntervalSeconds * 1000),
      );
    }
    const reporter = this.#options.reporter;
    if (reporter?.tick)
      this.#timers.push(setInterval(() => reporter.tick!(this.snapshot()), reporter.tickMs ?? 250));

    this.#pump();
    this.#checkFinished();
    this.#warmExecutor();
    await this.#ended;

    signal?.removeEventListener('abort', onAbort);
    for (const timer of this.#timers) clearInterval(timer);
    if (this.#retryTimer) clearTimeout(this.#retryTimer);
    // Claims in flight finish (their runs start); then let go of our runs' processes.
    await Promise.allSettled(this.#entries.map((entry) => entry.queue));
    for (const entry of this.#entries) entry.own?.exec.detach();
    this.#executor.close?.();
    reporter?.close(this.snapshot());
    return this.#result();
  }

  /** The launch at this moment. */
  snapshot(): LaunchSnapshot {
    const active: RunSnapshot[] = [];
    let succeeded = 0;
    let failed = 0;
    let cancelled = 0;
    let pending = 0;
    for (const entry of this.#entries) {
      if (entry.outcome === 'succeeded') succeeded++;
      else if (entry.outcome === 'failed') failed++;
      else if (entry.outcome === 'cancelled') cancelled++;
      if (entry.phase === 'pending') pending++;
      if (entry.phase === 'active' || entry.phase === 'claiming')
        active.push(this.#runSnapshot(entry));
    }
    return {
      startedAt: this.#startedAt,
      now: Date.now(),
      total: this.#entries.length,
      succeeded,
      failed,
      cancelled,
      active,
      pending,
      doneAtStart: this.#doneAtStart,
      stopping: this.#stopping,
    };
  }

  #runSnapshot(entry: Entry): RunSnapshot {
    const record = entry.record;
    const phase: RunPhase =
      entry.phase === 'done'
        ? 'done'
        : entry.phase === 'pending'
          ? 'pending'
          : record?.status === 'running'
            ? 'running'
            : 'starting';
    const snapshot: RunSnapshot = {
      id: entry.run.id,
      phase,
      attempt: record?.attempt ?? 0,
      gpus: entry.gpus,
      own: entry.own !== undefined,
      status: record?.status,
      progress: record?.progress,
      startedAt: record?.startedAt,
    };
    if (entry.outcome) snapshot.outcome = entry.outcome;
    if (entry.error) snapshot.error = entry.error;
    return snapshot;
  }

  #result(): LaunchResult {
    const runs = this.#entries.map((entry): RunResult => {
      const result: RunResult = { id: entry.run.id, attempt: entry.record?.attempt ?? 0 };
      if (entry.outcome) result.outcome = entry.outcome;
      if (entry.error) result.error = entry.error;
      return result;
    });
    const count = (outcome: RunOutcome) => runs.filter((run) => run.outcome === outcome).length;
    const succeeded = count('succeeded');
    const unfinished = runs.filter((run) => run.outcome === undefined).length;
    return {
      completed: unfinished === 0,
      exitCode: succeeded === runs.length ? 0 : 1,
      succeeded,
      failed: count('failed'),
      cancelled: count('cancelled'),
      unfinished,
      runs,
    };
  }

  #emit(event: LaunchEvent): void {
    this.#options.onEvent?.(event);
    this.#options.reporter?.event(event, this.snapshot());
  }

  #stop(reason: string): void {
    if (this.#stopping) return;
    this.#stopping = true;
    this.#emit({ type: 'stopping', reason });
    this.#resolve();
  }

  #checkFinished(): void {
    if (this.#finished || this.#stopping) return;
    if (this.#entries.every((entry) => entry.phase === 'done')) {
      this.#finished = true;
      this.#resolve();
    }
  }

  /** Runs `operation` after the run's earlier operations; errors become warnings. */
  #serial(entry: Entry, operation: () => Promise<void>): void {
    entry.operations++;
    entry.queue = entry.queue
      .then(operation)
      .catch((error: unknown) => {
        this.#emit({
          type: 'warning',
          runId: entry.run.id,
          message: error instanceof Error ? error.message : String(error),
        });
        // An operation that failed midway leaves the run as it was; the scheduler looks again.
        if (entry.phase === 'claiming') this.#release(entry, 'pending');
      })
      .finally(() => {
        entry.operations--;
        if (entry.operations === 0) this.#schedulePump();
      });
  }

  // ---- starting runs --------------------------------------------------------------------

  #schedulePump(): void {
    if (this.#pumpScheduled) return;
    this.#pumpScheduled = true;
    queueMicrotask(() => {
      this.#pumpScheduled = false;
      this.#pump();
    });
  }

  /** Starts every pending run that may start now, in plan order. */
  #pump(): void {
    if (this.#stopping || this.#finished) return;
    const now = Date.now();
    let active = this.#entries.filter(
      (entry) => entry.phase === 'active' || entry.phase === 'claiming',
    ).length;
    let nextRetryAt = Infinity;
    let allowed: Set<number> | undefined;
    let allowedKnown = false;
    for (const entry of this.#entries) {
      if (entry.phase !== 'pending' || entry.operations > 0) continue;
      const dependencies = entry.run.dependsOn.map((id) => this.#byId.get(id));
      const failedDependencies = entry.run.dependsOn.filter((_, index) => {
        const outcome = dependencies[index]?.outcome;
        return outcome === 'failed' || outcome === 'cancelled';
      });
      if (failedDependencies.length > 0) {
        entry.phase = 'claiming'; // busy until blocked is recorded
        this.#serial(entry, () => this.#block(entry, failedDependencies));
        continue;
      }
      if (dependencies.some((dependency) => dependency?.outcome !== 'succeeded')) continue;
      if (entry.notBefore !== undefined && entry.notBefore > now) {
        nextRetryAt = Math.min(nextRetryAt, entry.notBefore);
        continue;
      }
      // When full, keep going only to record blocked runs.
      if (active >= this.#plan.concurrency) continue;
      let gpus: number[] | undefined = [];
      if (entry.run.gpuCount > 0) {
        if (this.#plan.gpuPolicy && !allowedKnown) {
          allowed = this.#policyAllowedGpus();
          allowedKnown = true;
        }
        if (this.#plan.gpuPolicy && allowed === undefined) continue; // asking nvidia-smi; pumps again after
        gpus = this.#slots.allocate(entry.run.gpuCount, { pinned: entry.run.pinnedGpus, allowed });
        if (gpus === undefined) continue;
      }
      entry.phase = 'claiming';
      entry.gpus = gpus;
      active++;
      this.#serial(entry, () => this.#claimAndStart(entry));
    }
    this.#armRetryTimer(nextRetryAt);
  }

  #armRetryTimer(at: number): void {
    if (at === Infinity || (this.#retryTimer && this.#retryTimerAt <= at)) return;
    if (this.#retryTimer) clearTimeout(this.#retryTimer);
    this.#retryTimerAt = at;
    this.#retryTimer = setTimeout(
      () => {
        this.#retryTimer = undefined;
        this.#retryTimerAt = Infinity;
        this.#pump();
      },
      Math.max(0, at - Date.now()),
    );
  }

  async #claimAndStart(entry: Entry): Promise<void> {
    const judged = entry.record;
    const now = new Date();
    if (await this.#cancelRequested(entry)) {
      await this.#cancelPending(entry);
      return;
    }
    const claim =
      entry.run.gpuCount > 0
        ? await this.#claimGpus(entry, judged, now)
        : await this.#claim(entry, judged, now);
    if (claim === undefined) {
      // Its GPUs are held by another launcher's runs: look again shortly.
      this.#release(entry, 'pending');
      entry.notBefore = Date.now() + GPU_RETRY_MS;
      this.#schedulePump();
      return;
    }
    if (!claim.changed) {
      this.#release(entry, 'pending');
      await this.#judge(entry, claim.record);
      this.#schedulePump();
      return;
    }
    const record = claim.record!;
    entry.record = record;
    entry.reclaim = false;
    entry.notBefore = undefined;
    const attempt = record.attempt;
    let exec: StartedExec;
    try {
      exec = await this.#executor.start(this.#execSpec(entry, attempt));
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      const failed = await updateRunRecord(entry.runDir, (current) =>
        current?.status === 'starting' &&
        current.attempt === attempt &&
        isClaimOf(current, this.#identity)
          ? startFailedRecord(current, reason, new Date())
          : undefined,
      );
      await this.#judge(entry, failed.record);
      return;
    }
    entry.own = { attempt, exec };
    entry.phase = 'active';
    this.#emit({ type: 'started', runId: entry.run.id, attempt, gpus: entry.gpus, pid: exec.pid });
    this.#warmExecutor();
    void exec.exited.then((exit) =>
      this.#serial(entry, () => this.#ownExited(entry, attempt, exec, exit)),
    );
  }

  /** Claims the run's record (compare-and-set on the record judged) with `entry.gpus`. */
  #claim(
    entry: Entry,
    judged: RunRecord | undefined,
    now: Date,
  ): Promise<{ changed: boolean; record: RunRecord | undefined }> {
    return updateRunRecord(entry.runDir, (current) => {
      if (current === undefined && judged === undefined)
        return claimedRecord(
          newQueuedRecord(entry.run, now),
          entry.run,
          this.#identity,
          entry.gpus,
          now,
        );
      if (!sameRecord(current, judged)) return undefined;
      if (current!.status !== 'queued' && !(current!.status === 'starting' && entry.reclaim))
        return undefined;
      return claimedRecord(current!, entry.run, this.#identity, entry.gpus, now, {
        uncounted: entry.reclaim,
      });
    });
  }

  /**
   * Chooses the run's GPUs and claims it under the root's GPU lock, counting the GPUs that runs
   * of every launcher on this root hold (their records); `undefined` when none are free.
   */
  async #claimGpus(
    entry: Entry,
    judged: RunRecord | undefined,
    now: Date,
  ): Promise<{ changed: boolean; record: RunRecord | undefined } | undefined> {
    let claim: { changed: boolean; record: RunRecord | undefined } | undefined;
    await withGpuClaims(
      this.#plan.root,
      entry.run.id,
      { stalledAfterSeconds: this.#plan.stalledAfterSeconds },
      async (busy) => {
        claim = undefined;
        this.#slots.release(entry.gpus);
        entry.gpus = [];
        const allowed = this.#plan.gpuPolicy ? this.#policyAllowedGpus() : undefined;
        if (this.#plan.gpuPolicy && allowed === undefined) return false;
        const gpus = this.#slots.allocate(entry.run.gpuCount, {
          pinned: entry.run.pinnedGpus,
          allowed,
          busy,
        });
        if (gpus === undefined) return false;
        entry.gpus = gpus;
        claim = await this.#claim(entry, judged, now);
        // A run another launcher claimed first holds its GPUs too: stays listed either way.
        return claim.record?.status === 'starting' || claim.record?.status === 'running';
      },
    );
    return claim;
  }

  /** Lets the executor prepare the next start while runs still wait for one. */
  #warmExecutor(): void {
    if (this.#stopping || this.#finished) return;
    if (this.#entries.some((entry) => entry.phase === 'pending')) this.#executor.warm?.();
  }

  #execSpec(entry: Entry, attempt: number): ExecSpec {
    const { run } = entry;
    const spec: ExecSpec = {
      runId: run.id,
      runDir: entry.runDir,
      attempt,
      gpus: entry.gpus,
      gpuPlan: this.#plan.gpus.length > 0,
      argv: run.argv,
      env: run.env,
      cwd: run.cwd,
      heartbeatSeconds: this.#plan.heartbeatSeconds,
    };
    if (run.timeoutSeconds !== undefined) spec.timeoutSeconds = run.timeoutSeconds;
    if (this.#plan.logMaxBytes !== undefined) spec.logMaxBytes = this.#plan.logMaxBytes;
    if (run.epochDirs) spec.epochDirs = run.epochDirs;
    return spec;
  }

  async #cancelRequested(entry: Entry): Promise<boolean> {
    try {
      return (await readControlRequest(entry.runDir)).cancel !== undefined;
    } catch {
      return false; // an unreadable control.json must not stop the run from starting
    }
  }

  /** Records a run that has not started as cancelled (a cancel request came first). */
  async #cancelPending(entry: Entry): Promise<void> {
    const judged = entry.record;
    const result = await updateRunRecord(entry.runDir, (current) =>
      sameRecord(current, judged) &&
      !isTerminalStatus(current!.status) &&
      current!.status !== 'running'
        ? cancelledBeforeStartRecord(current!, new Date())
        : undefined,
    );
    this.#release(entry, 'pending');
    await this.#judge(entry, result.record);
    this.#schedulePump();
  }

  async #block(entry: Entry, dependencies: string[]): Promise<void> {
    // A cancel request that came first wins: the run is cancelled, not failed.
    if (await this.#cancelRequested(entry)) {
      await this.#cancelPending(entry);
      return;
    }
    const judged = entry.record;
    const result = await updateRunRecord(entry.runDir, (current) =>
      sameRecord(current, judged) &&
      (current!.status === 'queued' || current!.status === 'starting')
        ? blockedRecord(current!, dependencies, new Date())
        : undefined,
    );
    this.#release(entry, 'pending');
    if (result.changed) {
      entry.record = result.record;
      this.#emit({ type: 'blocked', runId: entry.run.id, dependencies });
      this.#finish(entry, 'failed', result.record?.error);
    } else {
      await this.#judge(entry, result.record);
    }
    this.#schedulePump();
  }

  // ---- watching runs --------------------------------------------------------------------

  async #ownExited(
    entry: Entry,
    attempt: number,
    exec: StartedExec,
    exit: ExecExit,
  ): Promise<void> {
    // A late exit of an earlier attempt must not touch a later one.
    if (entry.own?.attempt !== attempt || entry.own.exec !== exec) return;
    entry.own = undefined;
    const record = await readRunRecord(entry.runDir);
    if (
      record &&
      record.attempt === attempt &&
      !isTerminalStatus(record.status) &&
      (record.supervisorPid ?? exec.pid) === exec.pid &&
      this.#executor.exitMeansSupervisorEnded
    ) {
      await stopOrphanedJob(record, entry.runDir);
      const how = exit.signal ? `killed by ${exit.signal}` : `exited with code ${exit.code}`;
      const reason = `supervisor ${exec.pid ?? ''} ${how} without recording a result`.replace(
        '  ',
        ' ',
      );
      const lost = await updateRunRecord(entry.runDir, (current) =>
        sameRecord(current, record) ? lostRecord(current!, reason, new Date()) : undefined,
      );
      if (lost.changed) this.#emit({ type: 'lost', runId: entry.run.id, attempt, reason });
      await this.#judge(entry, lost.record);
      return;
    }
    await this.#judge(entry, record);
  }

  #poll(): void {
    if (this.#pollBusy || this.#finished) return;
    const now = Date.now();
    const ownInterval = this.#options.ownPollIntervalMs ?? 500;
    const due = this.#entries.filter(
      (entry) =>
        entry.phase === 'active' &&
        (entry.own === undefined || now - entry.lastOwnPoll >= ownInterval),
    );
    if (due.length === 0) return;
    this.#pollBusy = true;
    const reads = due.map((entry) => {
      if (entry.own) entry.lastOwnPoll = now;
      return new Promise<void>((resolve) => {
        this.#serial(entry, async () => {
          try {
            if (entry.phase !== 'active') return;
            const record = await readRunRecord(entry.runDir);
            if (entry.own) {
              // Our own supervisor's end arrives as an exit event; here only the progress.
              if (record && record.attempt === entry.own.attempt) entry.record = record;
              return;
            }
            await this.#judge(entry, record);
          } finally {
            resolve();
          }
        });
      });
    });
    void Promise.all(reads).then(() => (this.#pollBusy = false));
  }

  /**
   * Acts on a run's record as it is now (after a failed compare-and-set, an exit, a poll):
   * finished → final or retry; running elsewhere → watch; stalled → lost; queued → pending.
   */
  async #judge(entry: Entry, record: RunRecord | undefined): Promise<void> {
    for (let round = 0; round < 8; round++) {
      entry.record = record;
      if (entry.phase === 'done') return;
      const decision = decideRecord(record, entry.run, {
        now: Date.now(),
        launcher: this.#identity,
        stalledAfterSeconds: this.#plan.stalledAfterSeconds,
      });
      switch (decision.kind) {
        case 'new':
          record = (
            await updateRunRecord(entry.runDir, (current) =>
              current === undefined ? newQueuedRecord(entry.run, new Date()) : undefined,
            )
          ).record;
          continue;
        case 'watch':
          if (entry.phase === 'active' && entry.own === undefined) return;
          this.#watch(entry, record!);
          return;
        case 'reclaim':
          this.#release(entry, 'pending');
          entry.reclaim = true;
          this.#schedulePump();
          return;
        case 'lost': {
          const judged = record!;
          await stopOrphanedJob(judged, entry.runDir);
          const lost = await updateRunRecord(entry.runDir, (current) =>
            sameRecord(current, judged)
              ? lostRecord(current!, decision.reason, new Date())
              : undefined,
          );
          if (lost.changed)
            this.#emit({
              type: 'lost',
              runId: entry.run.id,
              attempt: judged.attempt,
              reason: decision.reason,
            });
          record = lost.record;
          continue;
        }
        case 'pending':
          if (decision.requeue === undefined) {
            this.#release(entry, 'pending');
            entry.reclaim = false;
            if (decision.notBefore !== undefined) entry.notBefore = decision.notBefore;
            this.#schedulePump();
            return;
          }
          record = await this.#requeue(entry, record!);
          continue;
        case 'done':
          this.#endAttempt(entry, record, decision.outcome, true);
          return;
      }
    }
  }

  /** A failed attempt with attempts left goes back to `queued`. */
  async #requeue(entry: Entry, judged: RunRecord): Promise<RunRecord | undefined> {
    const result = await updateRunRecord(entry.runDir, (current) =>
      sameRecord(current, judged) ? requeuedRecord(current!, entry.run, new Date()) : undefined,
    );
    if (result.changed && judged.status === 'failed' && !judged.blockedBy) {
      this.#endAttempt(entry, judged, 'failed', false);
      this.#emit({
        type: 'retrying',
        runId: entry.run.id,
        failedAttempt: judged.attempt,
        delaySeconds: entry.run.retryDelaySeconds,
        error: judged.error,
      });
    }
    return result.record;
  }

  #endAttempt(
    entry: Entry,
    record: RunRecord | undefined,
    outcome: RunOutcome,
    final: boolean,
  ): void {
    const wasRunning = entry.phase === 'active' || entry.phase === 'claiming';
    // The state first, so that the event's snapshot already shows the run done (or waiting).
    if (final) this.#finish(entry, outcome, record?.error);
    else this.#release(entry, 'pending');
    if (record && record.attempt > 0 && (wasRunning || final)) {
      const started = Date.parse(record.startedAt ?? '');
      const finishedAt = Date.parse(record.finishedAt ?? '');
      this.#emit({
        type: 'finished',
        runId: entry.run.id,
        attempt: record.attempt,
        outcome,
        final,
        error: record.error,
        exitCode: record.exitCode,
        durationSeconds:
          Number.isNaN(started) || Number.isNaN(finishedAt)
            ? undefined
            : (finishedAt - started) / 1000,
      });
    }
  }

  #watch(entry: Entry, record: RunRecord): void {
    const wasActive = entry.phase === 'active' || entry.phase === 'claiming';
    this.#release(entry, 'active');
    const gpus = (record.gpus ?? []).filter((id) => this.#plan.gpus.includes(id));
    this.#slots.take(gpus);
    entry.gpus = gpus;
    if (!wasActive)
      this.#emit({ type: 'adopted', runId: entry.run.id, attempt: record.attempt, gpus });
  }

  /** Gives back the run's GPU slots and moves it to `phase`. */
  #release(entry: Entry, phase: Entry['phase']): void {
    if (entry.gpus.length > 0) this.#slots.release(entry.gpus);
    entry.gpus = [];
    const freed =
      (entry.phase === 'active' || entry.phase === 'claiming') &&
      phase !== 'active' &&
      phase !== 'claiming';
    entry.phase = phase;
    if (freed) this.#schedulePump();
  }

  #finish(entry: Entry, outcome: RunOutcome, error?: string | null): void {
    this.#release(entry, 'done');
    entry.outcome = outcome;
    entry.error = outcome === 'succeeded' ? null : (error ?? null);
    this.#schedulePump();
    this.#checkFinished();
  }

  // ---- cancel requests and GPU policy ---------------------------------------------------

  /** A cancel request for a run that waits (dependencies, a slot, a retry delay) ends it now. */
  #scanPendingCancels(): void {
    if (this.#cancelScanBusy || this.#stopping) return;
    const waiting = this.#entries.filter(
      (entry) => entry.phase === 'pending' && entry.operations === 0,
    );
    if (waiting.length === 0) return;
    this.#cancelScanBusy = true;
    void Promise.all(
      waiting.map(async (entry) => {
        if (
          !(await this.#cancelRequested(entry)) ||
          entry.phase !== 'pending' ||
          entry.operations > 0
        )
          return;
        entry.phase = 'claiming';
        this.#serial(entry, () => this.#cancelPending(entry));
      }),
    ).finally(() => (this.#cancelScanBusy = false));
  }

  /** GPUs the policy allows now, or `undefined` while nvidia-smi is being asked. */
  #policyAllowedGpus(): Set<number> | undefined {
    const policy = this.#plan.gpuPolicy!;
    const status = this.#gpuStatus;
    if (!status || Date.now() - status.checkedAt > GPU_STATUS_MAX_AGE_MS) {
      this.#refreshGpuStatus();
      if (!status) return undefined;
    }
    if (!status.available) return new Set();
    return allowedGpus(this.#plan.gpus, status.gpus, policy);
  }

  #refreshGpuStatus(): void {
    if (this.#gpuStatusLoading || this.#stopping) return;
    this.#gpuStatusLoading = this.#readGpuStatus().then((status) => {
      this.#gpuStatus = status;
      this.#gpuStatusLoading = undefined;
      if (!status.available && !this.#gpuWarningShown) {
        this.#gpuWarningShown = true;
        this.#emit({
          type: 'warning',
          message: `gpuPolicy: ${status.reason ?? 'nvidia-smi failed'}; no GPU passes until it answers`,
        });
      }
      this.#pump();
    });
  }

  #readGpuStatus(): Promise<GpuStatus> {
    return (this.#options.readGpuStatus ?? (() => readGpuStatus({ processes: false })))();
  }
}

/** Whether `current` is still the record judged: same status, attempt, supervisor and claim. */
function sameRecord(current: RunRecord | undefined, judged: RunRecord | undefined): boolean {
  if (current === undefined || judged === undefined) return false;
  return (
    current.status === judged.status &&
    current.attempt === judged.attempt &&
    (current.supervisorPid ?? null) === (judged.supervisorPid ?? null) &&
    (current.launcher?.pid ?? null) === (judged.launcher?.pid ?? null) &&
    (current.launcher?.host ?? null) === (judged.launcher?.host ?? null)
  );
}

function isClaimOf(record: RunRecord, identity: LauncherIdentity): boolean {
  return record.launcher?.host === identity.host && record.launcher?.pid === identity.pid;
}
