import { hostname } from 'node:os';
import type { ResolvedPlan } from '../plan/resolve-plan.js';
import type { RunRecord } from '../run-folder/run-record.js';
import type { Executor } from './executors/executor.js';
import { GpuSlots } from './gpus/gpu-slots.js';
import { GpuStatusCache } from './gpus/gpu-status-cache.js';
import type { GpuHoldOptions } from './gpus/gpu-claims.js';
import { placeOnServer, type PlaceResult } from './gpus/place-on-server.js';
import { ServerSlots, type ServerBusy } from './gpus/server-slots.js';
import { readGpuStatus } from './gpus/nvidia-smi.js';
import type { LaunchEvent, LaunchSnapshot } from './launch-events.js';
import { launchSnapshot } from './launch-result.js';
import type { LaunchOptions } from './launcher.js';
import type { DecideOptions, RunOutcome } from './reconcile.js';
import type { LauncherIdentity } from './record-transitions.js';
import type { RunEntry, RunPhaseInLaunch } from './run-entry.js';
import { holdsSlot } from './run-entry.js';
import { FailureLog } from './operation-failures.js';
import { dependencySucceeded } from './run-waiting.js';
import { Scheduler } from './scheduler.js';

/**
 * What every step of one launch shares: the plan's runs as {@link RunEntry}s, their GPU slots,
 * the scheduler, and the bookkeeping of a run's phase (release, watch, finish), its serial
 * operations and the launch's events.
 */
export class LaunchState {
  readonly plan: ResolvedPlan;
  readonly executor: Executor;
  readonly identity: LauncherIdentity;
  readonly options: LaunchOptions;
  readonly slots: GpuSlots;
  /** The slots of a server pool (a plan with `servers`). */
  readonly serverSlots: ServerSlots | undefined;
  /** The server each run holds a slot on (server pool only). */
  readonly serverOf = new Map<RunEntry, string>();
  readonly entries: RunEntry[] = [];
  readonly byId = new Map<string, RunEntry>();
  /** Runs by the id of each of their dependencies. */
  readonly dependents = new Map<string, RunEntry[]>();
  /** Runs whose dependencies failed for good: the scheduler records them blocked. */
  readonly toBlock = new Set<RunEntry>();
  /** No run before this index of `entries` waits to start (the scheduler starts looking here). */
  scanFrom = 0;
  /** Present when the plan has a `gpuPolicy`. */
  readonly gpuStatus: GpuStatusCache | undefined;
  readonly scheduler: Scheduler;
  readonly startedAt = Date.now();
  /** Runs already done when the launch began. */
  doneAtStart = 0;
  /** No more starts: a signal or the caller's abort. */
  stopping = false;
  /** Every run is done. */
  finished = false;
  /** Failing operations on runs, one warning per run and condition. */
  readonly failures = new FailureLog((event) => this.emit(event));
  #resolve!: () => void;
  /** Resolves when the launch is stopping or finished. */
  readonly ended = new Promise<void>((resolve) => (this.#resolve = resolve));

  constructor(options: LaunchOptions) {
    this.options = options;
    this.plan = options.plan;
    this.executor = options.executor;
    this.identity = options.launcher ?? { host: hostname(), pid: process.pid };
    this.slots = new GpuSlots(this.plan.gpus, this.plan.runsPerGpu);
    this.scheduler = new Scheduler(this);
    this.serverSlots = this.plan.servers
      ? new ServerSlots(this.plan.servers, this.plan.runsPerGpu)
      : undefined;
    this.executor.attach?.({
      warn: (message) => this.emit({ type: 'warning', message }),
      changed: () => this.scheduler.schedule(),
    });
    const policy = this.plan.gpuPolicy;
    // A server pool's policy is judged per server by the executor's probes.
    if (policy && !this.serverSlots) {
      this.gpuStatus = new GpuStatusCache({
        policy,
        gpus: this.plan.gpus,
        read: options.readGpuStatus ?? (() => readGpuStatus({ processes: false })),
        onUpdate: () => this.scheduler.pump(),
        onUnavailable: (reason) =>
          this.emit({
            type: 'warning',
            message: `gpuPolicy: ${reason}; no GPU passes until it answers`,
          }),
      });
    }
  }

  /** How records are judged now (see `decideRecord`); liveness as the executor tells it. */
  decideOptions(): DecideOptions {
    return {
      now: Date.now(),
      launcher: this.identity,
      stalledAfterSeconds: this.plan.stalledAfterSeconds,
      isProcessAlive: (host, pid) => this.executor.isProcessAlive(host, pid),
    };
  }

  /** How records are judged to hold GPUs and server slots (see `withGpuClaims`). */
  holdOptions(): Pick<GpuHoldOptions, 'stalledAfterSeconds' | 'isProcessAlive'> {
    return {
      stalledAfterSeconds: this.plan.stalledAfterSeconds,
      isProcessAlive: (host, pid) => this.executor.isProcessAlive(host, pid),
    };
  }

  /** Where a server pool's run may go now, or why it waits; `busy`: other launchers' runs. */
  placeOnServer(entry: RunEntry, busy?: ReadonlyMap<string, ServerBusy>): PlaceResult {
    const { run } = entry;
    return placeOnServer(
      this.serverSlots!,
      { gpuCount: run.gpuCount, pinnedGpus: run.pinnedGpus, servers: run.servers },
      this.executor.servers,
      this.plan.gpuPolicy !== undefined,
      busy,
    );
  }

  /** The launch at this moment. */
  snapshot(): LaunchSnapshot {
    return launchSnapshot(this.entries, this);
  }

  emit(event: LaunchEvent): void {
    this.options.onEvent?.(event);
    this.options.reporter?.event(event, this.snapshot());
  }

  stop(reason: string): void {
    if (this.stopping) return;
    this.stopping = true;
    this.gpuStatus?.close();
    this.emit({ type: 'stopping', reason });
    this.#resolve();
  }

  checkFinished(): void {
    if (this.finished || this.stopping) return;
    if (this.entries.every((entry) => entry.phase === 'done')) {
      this.finished = true;
      this.#resolve();
    }
  }

  /**
   * Runs `operation` after the run's earlier operations; errors become warnings, one per run and
   * condition (see {@link FailureLog}).
   */
  serial(entry: RunEntry, operation: () => Promise<void>): void {
    entry.operations++;
    entry.queue = entry.queue
      .then(operation)
      .then(
        () => this.failures.succeeded(entry.run.id),
        (error: unknown) => {
          const failures = this.failures.failed(entry.run.id, error);
          // An operation that failed midway leaves the run as it was; the scheduler looks
          // again after a backoff (a full disk must not spin the claim).
          if (entry.phase === 'claiming') {
            this.release(entry, 'pending');
            entry.notBefore = Date.now() + FailureLog.retryDelayMs(failures);
            entry.notBeforeReason = 'backoff';
          }
        },
      )
      .finally(() => {
        entry.operations--;
        if (entry.operations === 0) this.scheduler.schedule();
      });
  }

  /** Gives back the run's GPU slots and moves it to `phase`. */
  release(entry: RunEntry, phase: RunPhaseInLaunch): void {
    const server = this.serverOf.get(entry);
    if (server !== undefined) {
      this.serverSlots?.release(server, entry.gpus);
      this.serverOf.delete(entry);
    } else if (entry.gpus.length > 0) this.slots.release(entry.gpus);
    entry.gpus = [];
    const freed = holdsSlot(entry) && phase !== 'active' && phase !== 'claiming';
    entry.phase = phase;
    if (phase === 'pending') this.scanFrom = Math.min(this.scanFrom, entry.index);
    if (freed) this.scheduler.schedule();
  }

  /** The run is started by someone else (or by us, and now followed by its record): watch it. */
  watch(entry: RunEntry, record: RunRecord): void {
    const wasActive = holdsSlot(entry);
    this.release(entry, 'active');
    const server = this.plan.servers?.find((candidate) => candidate.name === record.server);
    const gpus = (record.gpus ?? []).filter((id) => (server?.gpus ?? this.plan.gpus).includes(id));
    if (server) {
      this.serverSlots?.take(server.name, gpus);
      this.serverOf.set(entry, server.name);
    } else this.slots.take(gpus);
    entry.gpus = gpus;
    if (!wasActive)
      this.emit({ type: 'adopted', runId: entry.run.id, attempt: record.attempt, gpus });
  }

  finish(entry: RunEntry, outcome: RunOutcome, error?: string | null): void {
    this.release(entry, 'done');
    entry.outcome = outcome;
    entry.error = outcome === 'succeeded' ? null : (error ?? null);
    if (outcome === 'succeeded') dependencySucceeded(this, entry);
    else
      for (const dependent of this.dependents.get(entry.run.id) ?? []) this.toBlock.add(dependent);
    this.scheduler.schedule();
    this.checkFinished();
  }

  /** Lets the executor prepare the next start while runs still wait for one. */
  warmExecutor(): void {
    if (this.stopping || this.finished) return;
    if (this.entries.some((entry) => entry.phase === 'pending')) this.executor.warm?.();
  }
}
