import { checkNumberOption } from '@runboard/locking';

/**
 * Slots on the plan's GPUs: each GPU holds up to `runsPerGpu` runs. Runs found running at
 * start-up take their recorded GPUs with {@link GpuSlots.take} even past capacity (the plan may
 * have changed), so new runs never over-subscribe a GPU.
 *
 * @example
 * const slots = new GpuSlots([0, 1], 1);
 * const gpus = slots.allocate(1); // [0]
 * slots.release(gpus);
 */
export class GpuSlots {
  readonly #capacity: number;
  readonly #used = new Map<number, number>();

  constructor(gpuIds: readonly number[], runsPerGpu: number) {
    this.#capacity = checkNumberOption('runsPerGpu', runsPerGpu, { integer: true, min: 1 });
    for (const id of gpuIds) this.#used.set(id, 0);
  }

  /** GPU ids of the plan. */
  get gpuIds(): number[] {
    return [...this.#used.keys()];
  }

  /** Free slots on GPU `id` (0 for a GPU outside the plan). */
  free(id: number): number {
    const used = this.#used.get(id);
    return used === undefined ? 0 : Math.max(0, this.#capacity - used);
  }

  /**
   * Takes `count` GPUs with a free slot (`pinned`: exactly those), among `allowed` when given;
   * the least used first, then the lowest id. `undefined` when they are not free now. `busy`:
   * runs on each GPU known from elsewhere (other launchers); a GPU counts as used by the larger
   * of its own count and that one, so runs known to both are not counted twice.
   */
  allocate(
    count: number,
    options: {
      pinned?: readonly number[];
      allowed?: ReadonlySet<number>;
      busy?: ReadonlyMap<number, number>;
    } = {},
  ): number[] | undefined {
    const used = (id: number) => Math.max(this.#used.get(id) ?? 0, options.busy?.get(id) ?? 0);
    const usable = (id: number) =>
      this.#used.has(id) &&
      used(id) < this.#capacity &&
      (options.allowed === undefined || options.allowed.has(id));
    let chosen: number[];
    if (options.pinned) {
      if (!options.pinned.every(usable)) return undefined;
      chosen = [...options.pinned];
    } else {
      if (count === 0) return [];
      const candidates = this.gpuIds.filter(usable).sort((a, b) => used(a) - used(b) || a - b);
      if (candidates.length < count) return undefined;
      chosen = candidates.slice(0, count).sort((a, b) => a - b);
    }
    this.take(chosen);
    return chosen;
  }

  /** Marks `ids` used (ids outside the plan are ignored), also past capacity. */
  take(ids: readonly number[]): void {
    for (const id of ids) {
      const used = this.#used.get(id);
      if (used !== undefined) this.#used.set(id, used + 1);
    }
  }

  /** Frees one slot on each of `ids`. */
  release(ids: readonly number[]): void {
    for (const id of ids) {
      const used = this.#used.get(id);
      if (used !== undefined && used > 0) this.#used.set(id, used - 1);
    }
  }

  /** Runs on each GPU now. */
  usage(): Map<number, number> {
    return new Map(this.#used);
  }
}
