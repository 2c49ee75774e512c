import type { GpuPolicy } from '../../../plan/plan-schema.js';
import { allowedGpus, gpuPolicyFailure } from '../../gpus/gpu-policy.js';
import type { ServerStatusView } from '../executor.js';
import type { ServerShell } from './ssh-connection.js';
import { SshHostCheckError } from './ssh-errors.js';
import { parseProbe, probeCommand, type ServerProbe } from './server-probe.js';

export interface ServerMonitorOptions {
  connections: readonly ServerShell[];
  /** How often each server is probed (one command a server). */
  intervalMs: number;
  /** The plan's policy: probes then also ask load, RAM and `nvidia-smi`. */
  policy?: GpuPolicy;
  /** Checks a server before its first run (see `checkHost`); resolves with its hostname. */
  checkHost: (connection: ServerShell) => Promise<string>;
  warn: (message: string) => void;
  /** A server went up or down, or a probe brought news: runs may start now. */
  changed: () => void;
  /** Each probe's answer (`undefined`: the server did not answer). */
  probed?: (server: string, probe: ServerProbe | undefined) => void;
}

interface ServerState {
  connection: ServerShell;
  up: boolean;
  checked: boolean;
  /** Why it is out of scheduling for good (a failed host check after it came back). */
  unfit?: string;
  probe?: ServerProbe;
  probing: boolean;
}

/**
 * Follows a server pool: every interval one probe per server (hostname, live pids, and for a
 * policy load, RAM and GPUs). A server that stops answering leaves scheduling with one warning
 * and comes back, host-checked again, when it answers. Answers which servers may take runs, which
 * of their GPUs the policy allows, and whether a pid is alive on a server's host.
 *
 * @example
 * const monitor = new ServerMonitor({ connections, intervalMs: 2000, checkHost, warn, changed });
 * await monitor.start(); // throws SshHostCheckError for a server that cannot run the plan
 * monitor.usable('gpu-a');
 */
export class ServerMonitor implements ServerStatusView {
  readonly #options: ServerMonitorOptions;
  readonly #servers = new Map<string, ServerState>();
  /** `host:pid` → when a pid was first asked about and missing from the probe (see isProcessAlive). */
  readonly #missingSince = new Map<string, number>();
  #timer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(options: ServerMonitorOptions) {
    this.#options = options;
    for (const connection of options.connections)
      this.#servers.set(connection.server.name, {
        connection,
        up: false,
        checked: false,
        probing: false,
      });
  }

  /**
   * Checks and probes every server once. A server that does not answer starts out of
   * scheduling (with a warning); one that answers but cannot run the plan fails the start.
   *
   * @throws {SshHostCheckError} naming the server and what is missing.
   */
  async start(): Promise<void> {
    // Every server is checked; the first refusal in the plan's order is the one reported.
    const checks = await Promise.allSettled(
      [...this.#servers.values()].map((state) => this.#probe(state, true)),
    );
    const refused = checks.find((check) => check.status === 'rejected');
    if (refused) throw refused.reason;
    this.#timer = setInterval(() => {
      for (const state of this.#servers.values()) void this.#probe(state, false);
    }, this.#options.intervalMs);
    this.#timer.unref();
  }

  close(): void {
    this.#closed = true;
    clearInterval(this.#timer);
  }

  usable(server: string): boolean {
    const state = this.#servers.get(server);
    return state !== undefined && state.up && state.checked && state.unfit === undefined;
  }

  allowedGpus(server: string, gpus: readonly number[]): ReadonlySet<number> | undefined {
    const policy = this.#options.policy;
    if (!policy) return new Set(gpus);
    const probe = this.#servers.get(server)?.probe;
    if (!probe) return undefined;
    if (this.hostRefusal(server) !== undefined || probe.gpus?.available !== true) return new Set();
    return allowedGpus(gpus, probe.gpus.list, policy);
  }

  hostRefusal(server: string): string | undefined {
    const policy = this.#options.policy;
    const probe = this.#servers.get(server)?.probe;
    if (!policy || !probe) return undefined;
    if (
      policy.maxCpuPercent !== undefined &&
      (probe.cpuPercent ?? Infinity) >= policy.maxCpuPercent
    )
      return `CPU ${Math.round(probe.cpuPercent ?? NaN)}% ≥ ${policy.maxCpuPercent}%`;
    if (policy.minFreeRamMiB !== undefined && (probe.freeRamMiB ?? -1) <= policy.minFreeRamMiB)
      return `free RAM ${probe.freeRamMiB ?? '?'} MiB ≤ ${policy.minFreeRamMiB} MiB`;
    return undefined;
  }

  refusals(server: string, candidates: readonly number[]): string {
    const probe = this.#servers.get(server)?.probe;
    const policy = this.#options.policy;
    if (!probe || !policy) return `${server}: asking`;
    const host = this.hostRefusal(server);
    if (host !== undefined) return `${server}: ${host}`;
    if (probe.gpus?.available !== true)
      return `${server}: ${probe.gpus?.available === false ? probe.gpus.reason : 'no GPU answer'}`;
    const byIndex = new Map(probe.gpus.list.map((gpu) => [gpu.index, gpu]));
    return candidates
      .map((id) => {
        const gpu = byIndex.get(id);
        const why = gpu ? gpuPolicyFailure(gpu, policy) : 'not listed by nvidia-smi';
        return why === undefined ? undefined : `${server} GPU ${id}: ${why}`;
      })
      .filter((text) => text !== undefined)
      .join('; ');
  }

  /**
   * Whether `pid` lives on `host` (a hostname a server's probe reported), by that server's last
   * probe when it is recent; `undefined` when no server answers for `host` now, or while no probe
   * sent since the first question has answered: a pid missing from a probe taken before the
   * process started (say, another launcher's run) is not gone.
   */
  isProcessAlive(host: string, pid: number): boolean | undefined {
    const freshMs = 3 * this.#options.intervalMs + 5_000;
    for (const state of this.#servers.values()) {
      const probe = state.probe;
      if (probe?.hostname !== host) continue;
      if (!state.up || Date.now() - probe.checkedAt > freshMs) return undefined;
      const key = `${host}:${pid}`;
      if (probe.pids.has(pid)) {
        this.#missingSince.delete(key);
        return true;
      }
      const askedAt = this.#missingSince.get(key);
      if (askedAt === undefined) this.#missingSince.set(key, Date.now());
      else if (probe.checkedAt > askedAt) {
        this.#missingSince.delete(key);
        return false;
      }
      return undefined;
    }
    return undefined;
  }

  /**
   * A command to `server` could not reach it (a start, between two probes): it leaves
   * scheduling now, as after a failed probe, and comes back when a probe answers.
   */
  unreachable(server: string, error: unknown): void {
    const state = this.#servers.get(server);
    if (state && !this.#closed) this.#down(state, error, false);
  }

  /** The server whose probe reported `host` as its hostname. */
  serverOfHost(host: string): ServerShell | undefined {
    for (const state of this.#servers.values())
      if (state.probe?.hostname === host) return state.connection;
    return undefined;
  }

  /** The last probe of each server (for tests and reports). */
  probes(): Map<string, ServerProbe | undefined> {
    return new Map([...this.#servers].map(([name, state]) => [name, state.probe]));
  }

  async #probe(state: ServerState, first: boolean): Promise<void> {
    if (state.probing || state.unfit !== undefined || this.#closed) return;
    state.probing = true;
    const name = state.connection.server.name;
    try {
      if (!state.checked) {
        await this.#options.checkHost(state.connection);
        state.checked = true;
      }
      const command = probeCommand({
        resources: this.#options.policy !== undefined,
        env: state.connection.server.env,
      });
      const sentAt = Date.now();
      const result = await state.connection.run(command, { timeoutMs: 30_000 });
      state.probe = parseProbe(result.stdout, sentAt);
      this.#options.probed?.(name, state.probe);
      if (!state.up && !first) this.#options.warn(`server ${name} answers again; runs start there`);
      state.up = true;
      this.#options.changed();
    } catch (error) {
      if (this.#closed) return; // the launch is over: its connections are closing
      if (error instanceof SshHostCheckError && first) throw error;
      this.#down(state, error, first);
    } finally {
      state.probing = false;
    }
  }

  /** Takes a server out of scheduling, saying why once (when it was up, or at the start). */
  #down(state: ServerState, error: unknown, first: boolean): void {
    const name = state.connection.server.name;
    if (error instanceof SshHostCheckError) {
      state.unfit = error.message;
      this.#options.warn(`${error.message}; no runs start there`);
    } else if (state.up || first) {
      const reason = error instanceof Error ? error.message : String(error);
      this.#options.warn(
        `${reason}; server ${name} is out of scheduling until it answers (its runs end by heartbeat)`,
      );
    }
    state.up = false;
    if (state.unfit === undefined) state.checked = false; // checked again when it is back
    this.#options.probed?.(name, undefined);
    this.#options.changed();
  }
}
