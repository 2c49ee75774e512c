import type { ExecExit } from '../executor.js';
import type { ServerProbe } from './server-probe.js';

interface Watched {
  pid: number;
  startedAt: number;
  resolve: (exit: ExecExit) => void;
}

/**
 * The supervisors this launcher started on servers, each followed until it ends: a probe of
 * its server (sent after the start) that no longer lists its pid ends it (`supervisorEnded`),
 * and so does its server going down, as a client's end (the record's heartbeat decides then).
 *
 * @example
 * const exited = runs.watch('gpu-a', 4242); // resolves once a probe of gpu-a lacks pid 4242
 * runs.probed('gpu-a', probe);
 */
export class RemoteRuns {
  readonly #byServer = new Map<string, Set<Watched>>();

  /** Follows supervisor `pid` on `server` (started now). */
  watch(server: string, pid: number): { exited: Promise<ExecExit>; forget: () => void } {
    const set = this.#byServer.get(server) ?? new Set<Watched>();
    this.#byServer.set(server, set);
    let watched!: Watched;
    const exited = new Promise<ExecExit>((resolve) => {
      watched = {
        pid,
        startedAt: Date.now(),
        resolve: (exit) => {
          set.delete(watched);
          resolve(exit);
        },
      };
    });
    set.add(watched);
    return { exited, forget: () => set.delete(watched) };
  }

  /** A probe of `server` answered (`probe`), or failed (`undefined`). */
  probed(server: string, probe: ServerProbe | undefined): void {
    for (const watched of [...(this.#byServer.get(server) ?? [])]) {
      if (probe === undefined)
        watched.resolve({ code: null, signal: null, supervisorEnded: false });
      else if (probe.checkedAt > watched.startedAt && !probe.pids.has(watched.pid))
        watched.resolve({ code: null, signal: null, supervisorEnded: true });
    }
  }

  /** Supervisors followed now. */
  get size(): number {
    let size = 0;
    for (const set of this.#byServer.values()) size += set.size;
    return size;
  }
}
