import { spawn, type ChildProcess } from 'node:child_process';
import { isLocalProcessAlive } from '../../run-folder/process-alive.js';
import { buildExecArgs, buildExecEnv } from './exec-args.js';
import type { ExecExit, ExecSpec, Executor, StartedExec } from './executor.js';
import { stopOrphanedJob } from './orphaned-job.js';
import { defaultStandbyEntry, parseNodeCommand, Standby } from './standby.js';

export interface LocalExecutorOptions {
  /**
   * The command that runs the supervisor, up to and including the `exec` word, e.g.
   * `[process.execPath, '/path/to/bin/runboard.js', 'exec']`.
   */
  execCommand: readonly string[];
  /** The environment runs start from (default `process.env`). */
  env?: NodeJS.ProcessEnv;
  /**
   * Keep one exec process started ahead, waiting for the next run (default true when
   * `execCommand` runs a node script). A run then starts without waiting for node to boot and
   * load the supervisor, which dominates the time from one run's end to the next one's start.
   */
  warmStandby?: boolean;
  /** Modules the standby imports while it waits (e.g. the CLI's compiled `main.js`). */
  preload?: readonly string[];
  /**
   * The standby program. Default: the compiled `standby-entry.js` of this package's `dist/`;
   * running from source there is none (no standby) unless given: a built copy, or the `.ts`
   * file when `execCommand`'s node flags load TypeScript (`--import tsx`).
   */
  standbyEntry?: string;
}

/** A local executor, with the standby hooks of {@link Executor} always there. */
export interface LocalExecutor extends Executor {
  warm(): void;
  close(): void;
}

/**
 * Starts each attempt as a detached `runboard exec` process on this machine: its own process
 * group, no terminal, no pipes to the launcher, so it outlives the launcher and a Ctrl-C in
 * the launcher's terminal does not reach it. A warm standby (see `warmStandby`) is the same
 * detached process, started before its run is known and told its arguments over stdin.
 * Processes are judged and stopped on this machine only (`isLocalProcessAlive`,
 * `stopOrphanedJob`): records of other hosts are left to their heartbeat.
 *
 * @example
 * const executor = createLocalExecutor({ execCommand: [process.execPath, binPath, 'exec'] });
 * await launch({ plan, executor });
 */
export function createLocalExecutor(options: LocalExecutorOptions): LocalExecutor {
  const { execCommand } = options;
  if (
    !Array.isArray(execCommand) ||
    execCommand.length === 0 ||
    !execCommand.every((part) => typeof part === 'string')
  ) {
    throw new TypeError('Expected `execCommand` to be a non-empty array of strings');
  }
  const baseEnv = options.env ?? process.env;
  const standbyEntry =
    options.warmStandby === false ? undefined : (options.standbyEntry ?? defaultStandbyEntry());
  const nodeCommand = standbyEntry === undefined ? undefined : parseNodeCommand(execCommand);
  let standby: Standby | undefined;
  let closed = false;

  const warmUp = () => {
    if (nodeCommand && standbyEntry !== undefined && !closed && !standby?.ready)
      standby = new Standby({
        command: nodeCommand,
        entry: standbyEntry,
        preload: options.preload ?? [],
        env: baseEnv,
      });
  };

  const startFresh = async (spec: ExecSpec): Promise<ChildProcess> => {
    const child = spawn(execCommand[0], [...execCommand.slice(1), ...buildExecArgs(spec)], {
      cwd: spec.runDir,
      env: buildExecEnv(spec, baseEnv),
      detached: true,
      stdio: 'ignore',
    });
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', reject);
    });
    return child;
  };

  const startOnStandby = async (spec: ExecSpec): Promise<ChildProcess | undefined> => {
    const waiting = standby;
    standby = undefined;
    if (!nodeCommand || !waiting?.ready) return undefined;
    try {
      await waiting.assign({
        argv: [nodeCommand.script, ...nodeCommand.args, ...buildExecArgs(spec)],
        env: buildExecEnv(spec, baseEnv),
        cwd: spec.runDir,
      });
      waiting.child.ref();
      return waiting.child;
    } catch {
      return undefined; // it died before taking the run; start a fresh one
    }
  };

  return {
    name: 'local',
    async start(spec: ExecSpec): Promise<StartedExec> {
      const child = (await startOnStandby(spec)) ?? (await startFresh(spec));
      const exited = new Promise<ExecExit>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null)
          resolve({ code: child.exitCode, signal: child.signalCode, supervisorEnded: true });
        child.once('exit', (code, signal) => resolve({ code, signal, supervisorEnded: true }));
        child.once('error', () => resolve({ code: null, signal: null, supervisorEnded: true }));
      });
      return { pid: child.pid, exited, detach: () => child.unref() };
    },
    isProcessAlive: isLocalProcessAlive,
    stopOrphanedJob,
    warm: warmUp,
    close() {
      closed = true;
      standby?.dismiss();
      standby = undefined;
    },
  };
}
