/** Everything an executor needs to start one attempt of a run under `runboard exec`. */
export interface ExecSpec {
  runId: string;
  /** Absolute run folder (on a shared filesystem for remote executors). */
  runDir: string;
  attempt: number;
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
  epochDirs?: { expectedFiles: readonly string[]; total: number; dir?: string };
}

/** How an attempt's local process (the supervisor, or the ssh / sbatch client) ended. */
export interface ExecExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A started attempt. The run record stays the truth; these are hints to look at it sooner. */
export interface StartedExec {
  /** The local process's pid, when there is one. */
  readonly pid?: number;
  /**
   * Resolves when the local process ends. For the local executor that is the supervisor: its
   * end means the record is final (or the supervisor died without finishing it).
   */
  readonly exited: Promise<ExecExit>;
  /** The launcher is leaving: stop holding the process (the run goes on). */
  detach(): void;
}

/**
 * Starts `runboard exec` for one attempt, detached so the run outlives the launcher. The local
 * executor spawns it on this machine; SSH and Slurm executors will start it elsewhere on a
 * shared filesystem, where it writes the same run folder.
 */
export interface Executor {
  readonly name: string;
  /** Whether `StartedExec.exited` means the supervisor ended (true for local processes). */
  readonly exitMeansSupervisorEnded: boolean;
  /** Starts the attempt; rejects when it could not be started at all. */
  start(spec: ExecSpec): Promise<StartedExec>;
  /** Runs are waiting to start: get ready for the next one (e.g. start a process ahead). */
  warm?(): void;
  /** The launch is over: let go of anything started ahead. Started runs are not touched. */
  close?(): void;
}
