import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SERVER_POOL_FILE, readServerPool, toResolvedServer } from '@runboard/launcher';
import type { ServerPoolEntry } from '@runboard/launcher';
import { checkNumberOption, checkObjectOption, checkStringOption } from '@runboard/locking';
import { toServerView } from './server-resources-view.js';
import type { ServerResourcesView } from './server-resources-view.js';
import { ServerSampler } from './server-sampler.js';

export interface ServerPoolSamplerOptions {
  /** The run root: its `.runboard/servers.json` (written by a launch with `servers`) names the pool. */
  root: string;
  /** Samples these servers instead of the root's `servers.json`. */
  servers?: readonly ServerPoolEntry[];
  /** Arguments for `ssh` before the host, e.g. `['-F', ssh_config]` (the CLI: `RUNBOARD_SSH_CONFIG`). */
  sshArgs?: readonly string[];
  /** The `ssh` program. Default `ssh` on `PATH`. */
  ssh?: string;
  /** Least time between two queries of one server. Default 2000 ms. */
  minIntervalMs?: number;
  /** A query without an answer after this long is given up (the server is unreachable). Default 15 000 ms. */
  queryTimeoutMs?: number;
  /** How long a sample waits for queries in flight before it answers with what it knows. Default 3000 ms. */
  waitMs?: number;
}

/** The pool as `sample` reports it. */
export interface ServerPoolSample {
  servers: ServerResourcesView[];
  /** Why `servers.json` could not be read (the previous pool is kept); `null` when it could. */
  error: string | null;
}

/** How long an idle master connection lives on after a one-off sample (`GET /api/resources`). */
const PERSIST_SECONDS = 30;

/**
 * Samples every server of the pool over SSH: one query per server (the launcher's probe plus
 * cores, RAM, load, GPU processes and `ps`), at most one per `minIntervalMs`, each over its own
 * ControlMaster connection in a private socket folder of the dashboard's. `servers.json` is
 * re-read when it changes. {@link ServerPoolSampler.close} ends the connections and removes the
 * folder (the resource feed does when no page is open); the next sample opens them again.
 *
 * @example
 * const pool = new ServerPoolSampler({ root: '/shared/logs', sshArgs: ['-F', 'ssh_config'] });
 * const { servers } = await pool.sample((host) => index.localRunPids(host));
 * await pool.close();
 */
export class ServerPoolSampler {
  private readonly minIntervalMs: number;
  private readonly queryTimeoutMs: number;
  private readonly waitMs: number;
  private entries: readonly ServerPoolEntry[] = [];
  private poolStamp: string | undefined;
  private poolError: string | null = null;
  private samplers = new Map<string, ServerSampler>();
  private controlDir: Promise<string> | undefined;
  private closing: Promise<void> = Promise.resolve();

  constructor(private readonly options: ServerPoolSamplerOptions) {
    checkObjectOption('options', options);
    checkStringOption('root', options.root);
    const count = (name: keyof ServerPoolSamplerOptions, fallback: number): number =>
      options[name] === undefined
        ? fallback
        : checkNumberOption(name, options[name], { integer: true, min: 1 });
    this.minIntervalMs = count('minIntervalMs', 2000);
    this.queryTimeoutMs = count('queryTimeoutMs', 15_000);
    this.waitMs = count('waitMs', 3000);
    if (options.servers) this.entries = options.servers.filter((entry) => !entry.local);
  }

  /**
   * Every server's view: queries are started where due and awaited up to `waitMs`; a server
   * whose first answer is still on its way is `pending`.
   */
  async sample(
    runPidsOnHost: (hostname: string) => ReadonlyMap<number, string>,
  ): Promise<ServerPoolSample> {
    await this.closing;
    await this.readPool();
    const samplers = await this.syncSamplers();
    const now = Date.now();
    const answers = Promise.all(samplers.map((sampler) => sampler.refresh(now)));
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      answers,
      new Promise((resolve) => (timer = setTimeout(resolve, this.waitMs))),
    ]);
    clearTimeout(timer);
    return {
      servers: samplers.map((sampler) =>
        toServerView(sampler.server, sampler.state, runPidsOnHost),
      ),
      error: this.poolError,
    };
  }

  /** Ends every master connection and removes the socket folder. */
  close(): Promise<void> {
    const samplers = [...this.samplers.values()];
    const controlDir = this.controlDir;
    this.samplers = new Map();
    this.controlDir = undefined;
    const previous = this.closing;
    this.closing = (async () => {
      await previous;
      await Promise.all(samplers.map((sampler) => sampler.dispose()));
      if (controlDir) await rm(await controlDir, { recursive: true, force: true });
    })();
    return this.closing;
  }

  /** Reads `servers.json` when its stamp changed (one `stat` a sample otherwise). */
  private async readPool(): Promise<void> {
    if (this.options.servers) return;
    const file = join(this.options.root, SERVER_POOL_FILE);
    let stamp: string;
    try {
      const stats = await stat(file);
      stamp = `${stats.ino}:${stats.size}:${stats.mtimeMs}`;
    } catch {
      stamp = 'missing';
    }
    if (stamp === this.poolStamp) return;
    try {
      const pool = await readServerPool(this.options.root);
      this.entries = (pool?.servers ?? []).filter((entry) => !entry.local);
      this.poolError = null;
    } catch (error) {
      this.poolError = `${file}: ${error instanceof Error ? error.message : String(error)}`;
    }
    this.poolStamp = stamp;
  }

  /** One sampler per server of the pool, made anew when the server's entry changed. */
  private async syncSamplers(): Promise<ServerSampler[]> {
    const wanted = new Map(this.entries.map((entry) => [JSON.stringify(entry), entry]));
    for (const [key, sampler] of this.samplers) {
      if (wanted.has(key)) continue;
      this.samplers.delete(key);
      void sampler.dispose();
    }
    if (wanted.size === 0) return [];
    this.controlDir ??= mkdtemp(join(tmpdir(), 'runboard-dashboard-ssh-'));
    const controlDir = await this.controlDir;
    for (const [key, entry] of wanted) {
      if (this.samplers.has(key)) continue;
      this.samplers.set(
        key,
        new ServerSampler(toResolvedServer(entry), {
          controlDir,
          sshArgs: this.options.sshArgs,
          ssh: this.options.ssh,
          persistSeconds: PERSIST_SECONDS,
          timeoutMs: this.queryTimeoutMs,
          minIntervalMs: this.minIntervalMs,
        }),
      );
    }
    // In the pool's order.
    return [...wanted.keys()].map((key) => this.samplers.get(key)!);
  }
}
