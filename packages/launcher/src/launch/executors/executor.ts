import type { RunRecord } from '../../run-folder/run-record.js';

/** Everything an executor needs to start one attempt of a run under `runboard exec`. */
export interface ExecSpec {
  runId: string;
  /** Absolute run folder (on a shared filesystem for remote executors). */
  runDir: string;
  attempt: number;
  /** The plan's server the launcher placed the run on (a plan with `servers`). */
  server?: string;
  /** GPU ids for `CUDA_VISIBLE_DEVICES`; empty: none. */
  gpus: readonly number[];
  /** Whether the plan hands out GPUs at all (a run with none then sees `CUDA_VISIBLE_DEVICES=""`). */
  gpuPlan: boolean;
  /** The job's argv (a string command arrives as `['sh', '-c', command]`). */
  argv: readonly string[];
  /** Variables for the job on top of the executor's environment. */
  env: Readonly<Record<string, string>>;
  /** The job's working folder. */
  cwd: string;
  heartbeatSeconds: number;
  timeoutSeconds?: number;
  logMaxBytes?: number;
  metricsMaxBytes?: number;
  epochDirs?: { expectedFiles: readonly string[]; total: number; dir?: string };
}

/** How an attempt's local process (the supervisor, or the ssh / sbatch client) ended. */
export interface ExecExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /**
   * Whether the supervisor itself ended with it (the local executor's process is the
   * supervisor): an attempt it left unfinished is then lost. False where the process that ended
   * was only a client (ssh, sbatch): the record's heartbeat decides.
   */
  supervisorEnded: boolean;
}

/** A started attempt. The run record stays the truth; these are hints to look at it sooner. */
export interface StartedExec {
  /** The local process's pid, when there is one (the supervisor's, for the local executor). */
  readonly pid?: number;
  /** Resolves when the local process ends. */
  readonly exited: Promise<ExecExit>;
  /** The launcher is leaving: stop holding the process (the run goes on). */
  detach(): void;
  /**
   * For executors that learn of an end late (a remote host's next probe, the next queue poll):
   * how often the launcher reads the attempt's record, whose final status then ends the attempt
   * at once (`exited` is still the end of a supervisor that leaves no result). Unset: the end
   * arrives with `exited` (a local child's exit).
   */
  readonly endPollMs?: number;
}

/**
 * What an executor with a server pool says about its servers, for the scheduler: which may take
 * runs now, and which of their GPUs the plan's `gpuPolicy` allows.
 */
export interface ServerStatusView {
  /** Whether runs may start on the server now (it answers and passed its host check). */
  usable(server: string): boolean;
  /** `gpus` of the server the policy allows now (all without a policy); `undefined`: no answer yet. */
  allowedGpus(server: string, gpus: readonly number[]): ReadonlySet<number> | undefined;
  /** Why the policy refuses the whole server (CPU load, RAM), or `undefined`. */
  hostRefusal(server: string): string | undefined;
  /** Why the policy refuses `candidates` on the server, for a run's `waiting.detail`. */
  refusals(server: string, candidates: readonly number[]): string;
}

/** How an executor reaches the launch it serves. */
export interface ExecutorHooks {
  /** A warning for the launch's events (said once per condition by the executor). */
  warn(message: string): void;
  /** Something changed that may let waiting runs start (a server came back, a new probe). */
  changed(): void;
}

/**
 * Where runs execute: starts `runboard exec` for one attempt, detached so the run outlives the
 * launcher, and answers for the processes of the hosts it runs them on. The local executor
 * works on this machine; SSH and Slurm executors will start the same supervisor elsewhere on a
 * shared filesystem, where it writes the same run folder. Everything that differs between them
 * is here; the launcher itself only reads and writes run records.
 */
export interface Executor {
  readonly name: string;
  /** Starts the attempt; rejects when it could not be started at all. */
  start(spec: ExecSpec): Promise<StartedExec>;
  /**
   * Whether process `pid` of `host` (a record's supervisor, job or launcher) is alive;
   * `undefined` where this executor cannot tell (the record's heartbeat then decides).
   */
  isProcessAlive(host: string, pid: number): boolean | undefined;
  /**
   * Stops the job of an attempt whose supervisor is gone (the job outlives it in its own
   * process group), before the attempt is recorded lost, so that a retry never runs beside it.
   * Resolves with the number of process groups stopped.
   */
  stopOrphanedJob(record: RunRecord, runDir: string): Promise<number>;
  /** The server pool's state, for executors that have one (SSH). */
  readonly servers?: ServerStatusView;
  /** The launch connects itself before the first start. */
  attach?(hooks: ExecutorHooks): void;
  /** Runs are waiting to start: get ready for the next one (e.g. start a process ahead). */
  warm?(): void;
  /** The launch is over: let go of anything started ahead. Started runs are not touched. */
  close?(): void;
}
