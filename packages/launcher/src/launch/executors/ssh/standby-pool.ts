import type { ResolvedServer } from '../../../plan/resolve-servers.js';
import type { RemoteStandbyAssignment } from '../../../supervisor/standby-assignment.js';
import { RemoteStandby } from './remote-standby.js';
import type { SshConnection } from './ssh-connection.js';

/** Standbys that end without a run, in a row, before a server is started cold for the launch. */
const MAX_FAILED_STANDBYS = 3;

/**
 * Standbys kept waiting on one server (fewer when its `maxRuns` is lower): two, so that two of
 * its runs that end together both start warm, at the cost of one more idle node process.
 */
const STANDBYS_PER_SERVER = 2;

/** What {@link StandbyPool} needs from the SSH executor. */
export interface StandbyPoolOptions {
  /** The remote servers' master connections, by server name. */
  connections: ReadonlyMap<string, SshConnection>;
  /** Whether a server takes runs now (it answers and passed its host check). */
  usable(server: string): boolean;
  /** The runboard CLI on a server. */
  runboardOf(server: ResolvedServer): string;
  /** Said once per server whose standbys keep failing. */
  warn(message: string): void;
}

/**
 * Standbys on each remote server while runs wait (two, or `maxRuns` when lower), so that the
 * next run on any server starts on a supervisor that is already there. A server whose runboard refuses its
 * standbys three times in a row (say, it predates `runboard standby`) is warned about once and
 * then started cold, as without a pool; a standby lost with its connection does not count.
 *
 * @example
 * const pool = new StandbyPool({ connections, usable, runboardOf, warn });
 * pool.warm();
 * const pid = await pool.take(server, assignment); // undefined: start it fresh
 */
export class StandbyPool {
  readonly #options: StandbyPoolOptions;
  readonly #standbys = new Map<string, RemoteStandby[]>();
  readonly #failures = new Map<string, number>();
  #closed = false;
  /** Runs started on a standby (for tests and the benchmark). */
  started = 0;

  constructor(options: StandbyPoolOptions) {
    this.#options = options;
  }

  /** Tops up the standbys of every usable remote server (see `STANDBYS_PER_SERVER`). */
  warm(): void {
    if (this.#closed) return;
    for (const [name, connection] of this.#options.connections) {
      const standbys = (this.#standbys.get(name) ?? []).filter((standby) => {
        if (standby.refused) this.#failed(name, standby);
        return standby.alive;
      });
      this.#standbys.set(name, standbys);
      if (!this.#options.usable(name)) continue;
      const { server } = connection;
      const wanted = Math.min(STANDBYS_PER_SERVER, server.maxRuns);
      while (standbys.length < wanted && (this.#failures.get(name) ?? 0) < MAX_FAILED_STANDBYS) {
        const standby = RemoteStandby.open(
          connection,
          server.env,
          this.#options.runboardOf(server),
        );
        if (!standby) break;
        standbys.push(standby);
      }
    }
  }

  /**
   * Gives `server`'s standby the run (one still coming up too). Resolves with the supervisor's
   * pid, or `undefined` when there is no standby or it did not take the run: the caller starts it fresh (a
   * supervisor that took it after all refuses a second claim of the attempt).
   */
  async take(server: string, assignment: RemoteStandbyAssignment): Promise<number | undefined> {
    const standbys = this.#standbys.get(server) ?? [];
    // The oldest first: the one most likely to have booted.
    const index = standbys.findIndex((standby) => standby.alive);
    if (index === -1) return undefined;
    const [standby] = standbys.splice(index, 1);
    try {
      const pid = await standby.assign(assignment);
      this.#failures.delete(server);
      this.started++;
      return pid;
    } catch {
      if (standby.refused) this.#failed(server, standby);
      return undefined;
    }
  }

  /** Dismisses every standby; `warm` does nothing after this. */
  close(): void {
    this.#closed = true;
    for (const standby of [...this.#standbys.values()].flat()) standby.dismiss();
    this.#standbys.clear();
  }

  #failed(server: string, standby: RemoteStandby): void {
    const failures = (this.#failures.get(server) ?? 0) + 1;
    this.#failures.set(server, failures);
    if (failures === MAX_FAILED_STANDBYS)
      this.#options.warn(
        `server ${server}: \`runboard standby\` ended without a run ${failures} times in a row` +
          `${standby.stderr ? ` (${standby.stderr})` : ''}; its runs start without a standby`,
      );
  }
}
