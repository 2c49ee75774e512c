import type { LaunchState } from './launch-state.js';
import type { RunEntry } from './run-entry.js';
import { holdsSlot } from './run-entry.js';
import { noteWaiting, unmetDependencies } from './run-waiting.js';
import { blockRun, claimAndStart } from './start-run.js';

/** The policy's allowed GPUs, asked once per pump. */
interface GpuCheck {
  known: boolean;
  allowed: Set<number> | undefined;
}

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

  /**
   * Starts every pending run that may start now, in plan order. Its cost does not grow with
   * the runs that wait for a slot: it starts looking at the first run that may wait
   * (`scanFrom`) and stops as soon as every slot is taken; runs whose dependencies failed come
   * from `toBlock`, not from a scan. Less common reasons to wait (a dependency, a retry delay,
   * the GPU policy, GPUs held elsewhere) are recorded as `waiting` when they change.
   */
  pump(): void {
    const state = this.#state;
    if (state.stopping || state.finished) return;
    this.#blockRuns();
    const { entries } = state;
    while (state.scanFrom < entries.length && entries[state.scanFrom].phase !== 'pending')
      state.scanFrom++;
    const now = Date.now();
    let active = entries.filter(holdsSlot).length;
    let nextRetryAt = Infinity;
    const gpuCheck: GpuCheck = { known: false, allowed: undefined };
    for (let index = state.scanFrom; index < entries.length; index++) {
      if (active >= state.plan.concurrency) break; // the rest waits for a slot
      const entry = entries[index];
      if (entry.phase !== 'pending' || entry.operations > 0) continue;
      const unmet = unmetDependencies(state, entry);
      if (unmet.length > 0) {
        noteWaiting(state, entry, { reason: 'dependency', detail: unmet.join(', ') });
        continue;
      }
      if (entry.notBefore !== undefined && entry.notBefore > now) {
        nextRetryAt = Math.min(nextRetryAt, entry.notBefore);
        if (entry.notBeforeReason === 'retry-delay')
          noteWaiting(state, entry, {
            reason: 'retry-delay',
            until: new Date(entry.notBefore).toISOString(),
          });
        else if (entry.notBeforeReason === 'gpu-slot')
          noteWaiting(state, entry, {
            reason: 'gpu-slot',
            detail: "its GPUs are held by another launcher's runs",
          });
        continue;
      }
      const gpus = this.#allocateGpus(entry, gpuCheck);
      if (gpus === undefined) continue;
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

  /** Records blocked the runs whose dependencies failed for good (as soon as they are idle). */
  #blockRuns(): void {
    const state = this.#state;
    for (const entry of state.toBlock) {
      if (entry.phase !== 'pending') {
        if (entry.phase === 'done') state.toBlock.delete(entry);
        continue;
      }
      if (entry.operations > 0) continue; // looked at again when its operation settles
      state.toBlock.delete(entry);
      const failed = entry.run.dependsOn.filter((id) => {
        const outcome = state.byId.get(id)?.outcome;
        return outcome === 'failed' || outcome === 'cancelled';
      });
      if (failed.length === 0) continue;
      entry.phase = 'claiming'; // busy until blocked is recorded
      state.serial(entry, () => blockRun(state, entry, failed));
    }
  }

  /**
   * The GPUs for `entry` ([] when it needs none), or `undefined` when none are free now (its
   * `waiting` then says whether the policy or the slots hold it back).
   */
  #allocateGpus(entry: RunEntry, check: GpuCheck): number[] | undefined {
    const state = this.#state;
    if (state.serverSlots) return this.#placeOnServer(entry);
    if (entry.run.gpuCount === 0) return [];
    const { gpuStatus, slots } = state;
    if (gpuStatus && !check.known) {
      check.allowed = gpuStatus.allowedGpus();
      check.known = true;
    }
    if (gpuStatus && check.allowed === undefined) return undefined; // asking nvidia-smi; pumps again after
    const request = { pinned: entry.run.pinnedGpus };
    const gpus = slots.allocate(entry.run.gpuCount, { ...request, allowed: check.allowed });
    if (gpus !== undefined) return gpus;
    const freeIgnoringPolicy =
      gpuStatus !== undefined && slots.allocate(entry.run.gpuCount, request);
    if (freeIgnoringPolicy) {
      slots.release(freeIgnoringPolicy);
      const candidates = entry.run.pinnedGpus ?? state.plan.gpus;
      noteWaiting(state, entry, { reason: 'gpu-policy', detail: gpuStatus.refusals(candidates) });
    } else {
      noteWaiting(state, entry, { reason: 'gpu-slot', detail: 'every GPU slot is taken' });
    }
    return undefined;
  }

  /** A server pool's run: a server (and its GPUs there), held in `serverOf` until released. */
  #placeOnServer(entry: RunEntry): number[] | undefined {
    const state = this.#state;
    const result = state.placeOnServer(entry);
    if ('waiting' in result) {
      noteWaiting(state, entry, result.waiting);
      return undefined;
    }
    state.serverOf.set(entry, result.placement.server);
    return result.placement.gpus;
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
