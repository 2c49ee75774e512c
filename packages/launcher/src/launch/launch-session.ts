import {
  LAUNCHER_HEARTBEAT_MS,
  LAUNCHERS_FILE,
  registerLauncher,
  type LauncherPresence,
} from '../run-folder/launcher-presence.js';
import type { LaunchResult } from './launch-result.js';
import { launchResult } from './launch-result.js';
import { LaunchState } from './launch-state.js';
import type { LaunchOptions } from './launcher.js';
import { pendingCancelScan } from './pending-cancels.js';
import type { ReconciledRun } from './reconcile.js';
import { reconcilePlan } from './reconcile.js';
import { createRunEntry } from './run-entry.js';
import { recordPoll } from './run-watch.js';
import { skippedEvent } from './skipped-event.js';
import { noteWaiting, unmetDependencies } from './run-waiting.js';

/** How often waiting runs' `control.json` is read for a cancel request. */
const CANCEL_SCAN_INTERVAL_MS = 1_000;

/**
 * One launch from start to end: asks `nvidia-smi` first when the plan has a `gpuPolicy`,
 * reconciles the plan with the run folders, then keeps the timers (record polls, cancel scan,
 * GPU checks, the reporter's tick) and the scheduler going until every run is done or the
 * launch is stopped; then lets go of its runs' processes (they go on) and resolves.
 */
export class LaunchSession {
  readonly #state: LaunchState;
  readonly #timers: NodeJS.Timeout[] = [];

  constructor(options: LaunchOptions) {
    this.#state = new LaunchState(options);
  }

  async run(): Promise<LaunchResult> {
    const state = this.#state;
    const { options, executor } = state;
    await state.gpuStatus?.load();
    const reconciled = await reconcilePlan(state.plan, {
      launcher: state.identity,
      retryFailed: options.retryFailed,
      isProcessAlive: (host, pid) => executor.isProcessAlive(host, pid),
      stopOrphanedJob: (record, runDir) => executor.stopOrphanedJob(record, runDir),
    });
    this.#takeOver(reconciled);
    const presence = await this.#register();

    const signal = options.signal;
    const onAbort = () =>
      state.stop(
        signal?.reason instanceof Error
          ? signal.reason.message
          : String(signal?.reason ?? 'aborted'),
      );
    if (signal?.aborted) onAbort();
    else signal?.addEventListener('abort', onAbort, { once: true });
    this.#startTimers();
    state.scheduler.pump();
    state.checkFinished();
    state.warmExecutor();
    await state.ended;

    signal?.removeEventListener('abort', onAbort);
    for (const timer of this.#timers) clearInterval(timer);
    if (presence) await this.#updatePresence(presence, { remove: true });
    state.scheduler.close();
    // Claims in flight finish (their runs start); then let go of our runs' processes.
    await Promise.allSettled(state.entries.map((entry) => entry.queue));
    for (const entry of state.entries) entry.own?.exec.detach();
    executor.close?.();
    options.reporter?.close(state.snapshot());
    return launchResult(state.entries);
  }

  /** Tracks each reconciled run: done ones are counted, running ones watched, the rest wait. */
  #takeOver(reconciled: readonly ReconciledRun[]): void {
    const state = this.#state;
    reconciled.forEach((item, index) => {
      const entry = createRunEntry(item, index);
      state.entries.push(entry);
      state.byId.set(item.run.id, entry);
      for (const id of item.run.dependsOn) {
        const list = state.dependents.get(id) ?? [];
        list.push(entry);
        state.dependents.set(id, list);
      }
    });
    const count = (kinds: string[]) =>
      reconciled.filter((item) => !item.error && kinds.includes(item.decision.kind)).length;
    const unreadable = reconciled.filter((item) => item.error).length;
    const done = count(['done']);
    state.doneAtStart = done + unreadable;
    state.emit({
      type: 'reconciled',
      total: reconciled.length,
      done,
      toStart: count(['new', 'pending', 'reclaim']),
      adopted: count(['watch']),
      unreadable,
    });
    reconciled.forEach((item, index) => {
      const entry = state.entries[index];
      if (item.error) {
        state.emit({ type: 'warning', runId: entry.run.id, message: item.error.message });
        state.finish(entry, 'failed', item.error.message);
      } else if (item.decision.kind === 'done') {
        state.finish(entry, item.decision.outcome, item.record?.error);
        const skipped = skippedEvent(item, item.decision.outcome);
        if (skipped) state.emit(skipped);
      } else if (item.decision.kind === 'watch' && item.record) {
        state.watch(entry, item.record);
      }
    });
    // Runs that wait for dependencies say so once; later only changes are written.
    for (const entry of state.entries) {
      if (entry.phase !== 'pending') continue;
      const unmet = unmetDependencies(state, entry);
      noteWaiting(
        state,
        entry,
        unmet.length > 0 ? { reason: 'dependency', detail: unmet.join(', ') } : null,
      );
    }
  }

  /**
   * Registers this launcher in the root's launchers file (so readers can tell a queued run
   * that waits for a slot from one that no launcher will start) and refreshes it every 10 s.
   */
  async #register(): Promise<LauncherPresence | undefined> {
    const state = this.#state;
    const now = new Date().toISOString();
    const presence: LauncherPresence = {
      host: state.identity.host,
      pid: state.identity.pid,
      startedAt: now,
      heartbeatAt: now,
      plan: state.plan.file ?? null,
    };
    if (!(await this.#updatePresence(presence))) return undefined;
    this.#timers.push(
      setInterval(() => {
        presence.heartbeatAt = new Date().toISOString();
        void this.#updatePresence(presence);
      }, LAUNCHER_HEARTBEAT_MS),
    );
    return presence;
  }

  /** Writes (or removes) this launcher's presence; a failure is a warning, not the launch's end. */
  async #updatePresence(
    presence: LauncherPresence,
    options: { remove?: boolean } = {},
  ): Promise<boolean> {
    try {
      await registerLauncher(this.#state.plan.root, presence, options);
      return true;
    } catch (error) {
      this.#state.emit({
        type: 'warning',
        message: `could not ${options.remove ? 'unregister' : 'register'} this launcher in ${LAUNCHERS_FILE}: ${error instanceof Error ? error.message : String(error)}`,
      });
      return false;
    }
  }

  #startTimers(): void {
    const state = this.#state;
    const { options, plan } = state;
    this.#timers.push(setInterval(recordPoll(state), options.pollIntervalMs ?? 100));
    this.#timers.push(setInterval(pendingCancelScan(state), CANCEL_SCAN_INTERVAL_MS));
    const gpuStatus = state.gpuStatus;
    if (gpuStatus && plan.gpuPolicy) {
      this.#timers.push(
        setInterval(() => gpuStatus.refresh(), plan.gpuPolicy.checkIntervalSeconds * 1000),
      );
    }
    const reporter = options.reporter;
    if (reporter?.tick) {
      const tick = reporter.tick.bind(reporter);
      this.#timers.push(setInterval(() => tick(state.snapshot()), reporter.tickMs ?? 250));
    }
  }
}
