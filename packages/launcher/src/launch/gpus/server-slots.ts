import type { ResolvedServer } from '../../plan/resolve-servers.js';
import { GpuSlots } from './gpu-slots.js';

/** Where a run goes in a server pool: the server and its GPUs there. */
export interface ServerPlacement {
  server: string;
  gpus: number[];
}

/** What other launchers' runs hold on each server (from their records). */
export interface ServerBusy {
  runs: number;
  gpus: Map<number, number>;
}

/** What a run asks of the pool. */
export interface ServerRequest {
  gpuCount: number;
  pinnedGpus?: readonly number[];
  /** The servers it may go to (default: any). */
  servers?: readonly string[];
}

export interface ServerAllocateOptions {
  /** Whether the server takes runs now (it answers); default: all do. */
  usable?: (server: string) => boolean;
  /** The server's GPUs the policy allows now (`undefined`: any). */
  allowed?: (server: string) => ReadonlySet<number> | undefined;
  /** Other launchers' runs per server. */
  busy?: ReadonlyMap<string, ServerBusy>;
}

interface ServerSlot {
  server: ResolvedServer;
  gpus: GpuSlots;
  runs: number;
}

/**
 * Slots of a server pool: each server takes up to `maxRuns` runs and hands out its own GPUs
 * (`runsPerGpu` runs each, as {@link GpuSlots}). A run goes to the usable server, among those
 * it may use, with the most free run slots (plan order on a tie). Runs adopted at start-up take
 * their recorded server and GPUs even past capacity.
 *
 * @example
 * const slots = new ServerSlots(plan.servers, 1);
 * const placement = slots.allocate({ gpuCount: 1 }); // { server: 'gpu-a', gpus: [0] }
 * slots.release(placement.server, placement.gpus);
 */
export class ServerSlots {
  readonly #slots = new Map<string, ServerSlot>();

  constructor(servers: readonly ResolvedServer[], runsPerGpu: number) {
    for (const server of servers)
      this.#slots.set(server.name, {
        server,
        gpus: new GpuSlots(server.gpus, runsPerGpu),
        runs: 0,
      });
  }

  /** The names of the pool's servers, in plan order. */
  get names(): string[] {
    return [...this.#slots.keys()];
  }

  /** The servers `request` may go to, in plan order. */
  candidates(request: ServerRequest): ResolvedServer[] {
    const names = request.servers ?? this.names;
    return names.map((name) => this.#slots.get(name)?.server).filter((s) => s !== undefined);
  }

  /** Places a run; `undefined` when no server it may use has room (and GPUs) now. */
  allocate(
    request: ServerRequest,
    options: ServerAllocateOptions = {},
  ): ServerPlacement | undefined {
    const free = (slot: ServerSlot) =>
      slot.server.maxRuns - Math.max(slot.runs, options.busy?.get(slot.server.name)?.runs ?? 0);
    const ordered = this.candidates(request)
      .map((server) => this.#slots.get(server.name)!)
      .filter((slot) => free(slot) > 0 && (options.usable?.(slot.server.name) ?? true))
      .sort((a, b) => free(b) - free(a));
    for (const slot of ordered) {
      const name = slot.server.name;
      let gpus: number[] | undefined = [];
      if (request.gpuCount > 0 || request.pinnedGpus) {
        gpus = slot.gpus.allocate(request.gpuCount, {
          pinned: request.pinnedGpus,
          allowed: options.allowed?.(name),
          busy: options.busy?.get(name)?.gpus,
        });
        if (gpus === undefined) continue;
      }
      slot.runs++;
      return { server: name, gpus };
    }
    return undefined;
  }

  /** Marks a run on `server` with `gpus` (also past capacity; unknown servers are ignored). */
  take(server: string, gpus: readonly number[]): void {
    const slot = this.#slots.get(server);
    if (!slot) return;
    slot.runs++;
    slot.gpus.take(gpus);
  }

  /** Frees a run's slot on `server` and its `gpus`. */
  release(server: string, gpus: readonly number[]): void {
    const slot = this.#slots.get(server);
    if (!slot) return;
    slot.runs = Math.max(0, slot.runs - 1);
    slot.gpus.release(gpus);
  }

  /** Runs on each server now. */
  usage(): Map<string, number> {
    return new Map([...this.#slots].map(([name, slot]) => [name, slot.runs]));
  }
}
