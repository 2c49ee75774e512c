import type { LaunchState } from './launch-state.js';
import { holdsSlot } from './run-entry.js';
import { blockRun, claimAndStart } from './start-run.js';

/**
 * Decides which pending runs start now: in plan order, once their dependencies succeeded and
 * their retry delay is over, within `concurrency` and the free GPU slots (and the `gpuPolicy`).
 * Runs whose dependencies failed for good are recorded blocked. It runs on each event that can
 * free a slot (a run ends, an operation settles), not on a tick; a timer wakes it for the next
 * retry delay.
 */
export class Scheduler {
  readonly #state: LaunchState;
  #scheduled = false;
  #retryTimer: NodeJS.Timeout | undefined;
  #retryTimerAt = Infinity;

  constructor(state: LaunchState) {
    this.#state = state;
  }

  /** Pumps once after the current operation (many events in a row, one pump). */
  schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    queueMicrotask(() => {
      this.#scheduled = false;
      this.pump();
    });
  }

  /** Starts every pending run that may start now, in plan order. */
  pump(): void {
    const state = this.#state;
    if (state.stopping || state.finished) return;
    const now = Date.now();
    let active = state.entries.filter(holdsSlot).length;
    let nextRetryAt = Infinity;
    let allowed: Set<number> | undefined;
    let allowedKnown = false;
    for (const entry of state.entries) {
      if (entry.phase !== 'pending' || entry.operations > 0) continue;
      const dependencies = entry.run.dependsOn.map((id) => state.byId.get(id));
      const failedDependencies = entry.run.dependsOn.filter((_, index) => {
        const outcome = dependencies[index]?.outcome;
        return outcome === 'failed' || outcome === 'cancelled';
      });
      if (failedDependencies.length > 0) {
        entry.phase = 'claiming'; // busy until blocked is recorded
        state.serial(entry, () => blockRun(state, entry, failedDependencies));
        continue;
      }
      if (dependencies.some((dependency) => dependency?.outcome !== 'succeeded')) continue;
      if (entry.notBefore !== undefined && entry.notBefore > now) {
        nextRetryAt = Math.min(nextRetryAt, entry.notBefore);
        continue;
      }
      // When full, keep going only to record blocked runs.
      if (active >= state.plan.concurrency) continue;
      let gpus: number[] | undefined = [];
      if (entry.run.gpuCount > 0) {
        if (state.gpuStatus && !allowedKnown) {
          allowed = state.gpuStatus.allowedGpus();
          allowedKnown = true;
        }
        if (state.gpuStatus && allowed === undefined) continue; // asking nvidia-smi; pumps again after
        gpus = state.slots.allocate(entry.run.gpuCount, { pinned: entry.run.pinnedGpus, allowed });
        if (gpus === undefined) continue;
      }
      entry.phase = 'claiming';
      entry.gpus = gpus;
      active++;
      state.serial(entry, () => claimAndStart(state, entry));
    }
    this.#armRetryTimer(nextRetryAt);
  }

  /** The launch is over: no more wake-ups. */
  close(): void {
    if (this.#retryTimer) clearTimeout(this.#retryTimer);
  }

  #armRetryTimer(at: number): void {
    if (at === Infinity || (this.#retryTimer && this.#retryTimerAt <= at)) return;
    if (this.#retryTimer) clearTimeout(this.#retryTimer);
    this.#retryTimerAt = at;
    this.#retryTimer = setTimeout(
      () => {
        this.#retryTimer = undefined;
        this.#retryTimerAt = Infinity;
        this.pump();
      },
      Math.max(0, at - Date.now()),
    );
  }
}
