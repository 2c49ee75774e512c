import { mkdtempSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ResolvedPlan } from '../../../plan/resolve-plan.js';
import type { ResolvedServer } from '../../../plan/resolve-servers.js';
import { isLocalProcessAlive } from '../../../run-folder/process-alive.js';
import type { RunRecord } from '../../../run-folder/run-record.js';
import type { ExecSpec, Executor, ExecutorHooks, StartedExec } from '../executor.js';
import { createLocalExecutor, type LocalExecutorOptions } from '../local-executor.js';
import { stopOrphanedJob as stopLocalOrphanedJob } from '../orphaned-job.js';
import { checkHost, writeRootMarker } from './host-check.js';
import { buildExecArgs } from '../exec-args.js';
import { remoteRunEnv, startCommand, stopGroupCommand } from './remote-commands.js';
import { RemoteRuns } from './remote-runs.js';
import { writeServerPool } from './server-pool-file.js';
import { ServerMonitor } from './server-monitor.js';
import { LocalShell } from './local-shell.js';
import { SshConnection } from './ssh-connection.js';
import { SSH_ERROR_CODES, SshCommandError } from './ssh-errors.js';
import { StandbyPool } from './standby-pool.js';
import { StartUnreachedError } from '../start-unreached-error.js';

/** Settings of {@link createSshExecutor}. */
export interface SshExecutorOptions {
  /** The plan; it must have `servers`. */
  plan: ResolvedPlan;
  /** The runboard CLI on servers that name none, when the plan's `executor.runboard` does not either; default `runboard`. */
  runboard?: string;
  /** Arguments for `ssh` before the host, e.g. `['-F', '/path/ssh_config']`. */
  sshArgs?: readonly string[];
  /** The `ssh` program (default `ssh` on `PATH`). */
  ssh?: string;
  /** How often each server is probed (liveness, and load/GPUs for a policy). Default 2000 ms. */
  probeIntervalMs?: number;
  /** The runboard version every server must report (`runboard --version`); default: not checked. */
  version?: string;
  /** How servers with `host: "localhost"` start their runs (without SSH). */
  local?: LocalExecutorOptions;
  /**
   * Keep `runboard standby` processes waiting on each server while runs wait (default true): a run
   * then starts without an ssh start command and without node's boot on the server.
   */
  warmStandby?: boolean;
}

/** The SSH executor, with its connections and monitor for tests and the benchmark. */
export interface SshExecutor extends Executor {
  readonly connections: ReadonlyMap<string, SshConnection>;
  readonly monitor: ServerMonitor;
  /** The folder of the ControlMaster sockets (0700). */
  readonly controlDir: string;
  /** The servers' standbys (`warmStandby`). */
  readonly standbys: StandbyPool;
  close(): void;
  /** Closes and waits until the master connections have exited. */
  shutdown(): Promise<void>;
}

/**
 * Runs each attempt as `runboard exec` on one of the plan's `servers`, started over the system
 * `ssh` client and detached there (`setsid`, no terminal): the pool is recorded in
 * `<root>/.runboard/servers.json` for the dashboard, and the supervisor writes the run folder
 * on the shared filesystem as everywhere, with the server's hostname as `host`. Each server has
 * one OpenSSH ControlMaster connection (sockets in a private 0700 folder), so starts and probes
 * reuse one handshake. Before anything starts every server that answers is checked (the run root
 * is shared there, its runboard exists); one probe per server per interval follows liveness
 * (`isProcessAlive` for its host) and, for a `gpuPolicy`, its GPUs, load and RAM. Servers with
 * `host: "localhost"` run locally.
 *
 * @throws {SshHostCheckError} when a server that answers cannot run the plan (root, runboard).
 * @example
 * const executor = await createSshExecutor({ plan, sshArgs: ['-F', 'ssh_config'] });
 * await launch({ plan, executor });
 */
export async function createSshExecutor(options: SshExecutorOptions): Promise<SshExecutor> {
  const { plan } = options;
  if (!plan.servers || plan.servers.length === 0)
    throw new TypeError('Expected `plan.servers` to list the servers of an SSH plan');
  const servers = new Map(plan.servers.map((server) => [server.name, server]));
  const runboardOf = (server: ResolvedServer) =>
    server.runboard ??
    (plan.executor?.kind === 'ssh' ? plan.executor.runboard : undefined) ??
    options.runboard ??
    'runboard';
  const controlDir = mkdtempSync(join(tmpdir(), 'runboard-ssh-'));
  const connections = new Map(
    plan.servers
      .filter((server) => !server.local)
      .map((server) => [
        server.name,
        new SshConnection(server, { controlDir, sshArgs: options.sshArgs, ssh: options.ssh }),
      ]),
  );
  const pending: string[] = [];
  let hooks: ExecutorHooks = { warn: (message) => pending.push(message), changed: () => {} };
  const marker = await writeRootMarker(plan.root);
  const remoteRuns = new RemoteRuns();
  // Local servers are probed too (on this machine): for the policy, and to know their hostname.
  const shells = plan.servers
    .filter((server) => server.local)
    .map((server) => new LocalShell(server));
  const monitor = new ServerMonitor({
    connections: [...connections.values(), ...shells],
    intervalMs: options.probeIntervalMs ?? 2000,
    policy: plan.gpuPolicy,
    checkHost: async (connection) =>
      connection.server.local
        ? hostname()
        : checkHost(connection, {
            root: plan.root,
            marker: marker.file,
            runboard: runboardOf(connection.server),
            version: options.version,
          }),
    warn: (message) => hooks.warn(message),
    changed: () => hooks.changed(),
    probed: (server, probe) => remoteRuns.probed(server, probe),
  });
  const local = options.local ? createLocalExecutor(options.local) : undefined;
  const localServers = plan.servers.filter((server) => server.local).map((server) => server.name);
  if (localServers.length > 0 && !local)
    throw new TypeError('Expected `local` executor options for servers on localhost');
  try {
    await monitor.start();
  } catch (error) {
    monitor.close();
    await Promise.all([...connections.values()].map((connection) => connection.close()));
    rmSync(controlDir, { recursive: true, force: true });
    await marker.remove();
    throw error;
  }
  // The marker stays while the launch runs: a server that comes back is checked again with it.
  // The dashboard samples the pool recorded here; without it the launch goes on all the same.
  await writeServerPool(plan.root, plan.servers).catch((error: unknown) =>
    hooks.warn(`the dashboard will not see the server pool: ${(error as Error).message}`),
  );
  const thisHost = hostname();
  const standbys = new StandbyPool({
    connections,
    usable: (name) => monitor.usable(name),
    runboardOf,
    warn: (message) => hooks.warn(message),
  });
  let closing: Promise<void> | undefined;
  const shutdown = () =>
    (closing ??= (async () => {
      monitor.close();
      standbys.close();
      local?.close();
      await Promise.all([...connections.values()].map((connection) => connection.close()));
      rmSync(controlDir, { recursive: true, force: true });
      await marker.remove();
    })());

  const start = async (spec: ExecSpec): Promise<StartedExec> => {
    const server = spec.server === undefined ? undefined : servers.get(spec.server);
    if (!server) throw new TypeError(`Expected \`spec.server\` to name a server of the plan`);
    if (server.local) return local!.start({ ...spec, gpuPlan: server.gpus.length > 0 });
    const onStandby = await standbys.take(server.name, {
      args: buildExecArgs(spec),
      env: remoteRunEnv(spec, server),
      cwd: spec.runDir,
    });
    if (onStandby !== undefined) return watchRun(server.name, onStandby);
    const connection = connections.get(server.name)!;
    let result;
    try {
      result = await connection.run(startCommand(spec, server, runboardOf(server)));
    } catch (error) {
      // A start that timed out may have run there: it fails as any start that fails.
      if (!(error instanceof SshCommandError) || error.timedOut) throw error;
      // ssh could not reach the server: no start there, and no attempt spent on it.
      monitor.unreachable(server.name, error);
      throw new StartUnreachedError(server.name, { cause: error });
    }
    if (result.code !== 0)
      throw new SshCommandError(server.name, result.code, result.stderr, {
        code: SSH_ERROR_CODES.start,
        what: 'starting runboard exec',
      });
    const pid = Number(result.stdout.trim().split('\n').pop());
    if (!Number.isInteger(pid) || pid <= 0)
      throw new SshCommandError(
        server.name,
        result.code,
        `no pid in ${JSON.stringify(result.stdout)}`,
        {
          code: SSH_ERROR_CODES.start,
          what: 'starting runboard exec',
        },
      );
    return watchRun(server.name, pid);
  };

  /** Follows supervisor `pid` on `server`: the probes of its server tell when it has ended. */
  const watchRun = (server: string, pid: number): StartedExec => {
    const { exited, forget } = remoteRuns.watch(server, pid);
    // Its end shows first in its record on the shared root: probes come every 2 s.
    return { pid, exited, detach: forget, endPollMs: 100 };
  };

  const stopOrphanedJob = async (record: RunRecord, runDir: string): Promise<number> => {
    if (record.host === thisHost) return stopLocalOrphanedJob(record, runDir);
    const connection = record.host ? monitor.serverOfHost(record.host) : undefined;
    if (!connection || !record.pid || record.pid <= 1) return 0;
    const result = await connection.run(stopGroupCommand(record.pid)).catch(() => undefined);
    return result?.stdout.includes('stopped') ? 1 : 0;
  };

  return {
    name: 'ssh',
    connections,
    monitor,
    controlDir,
    servers: {
      usable: (name) => monitor.usable(name),
      allowedGpus: (name, gpus) => monitor.allowedGpus(name, gpus),
      hostRefusal: (name) => monitor.hostRefusal(name),
      refusals: (name, candidates) => monitor.refusals(name, candidates),
    },
    attach(next) {
      hooks = next;
      for (const message of pending.splice(0)) next.warn(message);
    },
    start,
    isProcessAlive: (host, pid) =>
      host === thisHost ? isLocalProcessAlive(host, pid) : monitor.isProcessAlive(host, pid),
    stopOrphanedJob,
    standbys,
    warm: () => {
      local?.warm();
      if (options.warmStandby !== false) standbys.warm();
    },
    close: () => void shutdown(),
    shutdown,
  };
}
