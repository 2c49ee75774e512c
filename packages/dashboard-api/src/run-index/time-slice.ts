import { setImmediate as nextTurn } from 'node:timers/promises';

/** How long bulk work (a walk, the first scan's reads) runs before other work gets a turn. */
export const SLICE_MS = 5;

/**
 * Splits long synchronous work into slices of about {@link SLICE_MS}: once the current slice
 * has run long enough (`due`), `yield()` gives the event loop a turn (requests, timers, file
 * events) and starts the next slice.
 *
 * @example
 * const slice = new TimeSlice();
 * for (const item of items) {
 *   work(item);
 *   if (slice.due) await slice.yield();
 * }
 */
export class TimeSlice {
  private startedAt = performance.now();

  constructor(private readonly sliceMs = SLICE_MS) {}

  /** Whether the current slice has run its time. */
  get due(): boolean {
    return performance.now() - this.startedAt >= this.sliceMs;
  }

  /** Resolves on the next turn of the event loop, with a new slice started. */
  async yield(): Promise<void> {
    await nextTurn();
    this.startedAt = performance.now();
  }
}
