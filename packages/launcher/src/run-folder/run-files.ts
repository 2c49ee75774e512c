/** The files of a run folder (`<root>/<runId>/`) and who writes each. */
export const RUN_FILES = {
  /** The run record; written through `updateJson` under the run's lock. */
  progress: 'progress.json',
  /** The job's stdout and stderr, size-capped; written by the supervisor. */
  log: 'run.log',
  /** Append-only history of progress reports, one JSON object a line. */
  metrics: 'metrics.jsonl',
  /** Requests to the run (cancel), written by the dashboard or the CLI. */
  control: 'control.json',
  /**
   * The latest attempt's outcome as its supervisor knows it ({@link AttemptOutcome}): a file of
   * fixed size, created before the job starts and then only overwritten in place, so that
   * writing it needs no new disk blocks and works on a full disk, when `progress.json` cannot
   * be written. Written by the supervisor only; read by launchers judging a run whose record
   * has no final state.
   */
  outcome: 'outcome.json',
} as const;

export type RunFileName = (typeof RUN_FILES)[keyof typeof RUN_FILES];

/** The size of `outcome.json`: its JSON, padded with spaces, then a newline. */
export const OUTCOME_FILE_BYTES = 2048;

/**
 * What `outcome.json` holds (schema version 1): the attempt and supervisor it belongs to, and
 * either `status: 'running'` (the job's end is not known yet) or the job's final state, which
 * the supervisor writes here before it tries `progress.json`. `updatedAt` is refreshed on every
 * write, also while the record cannot be written (a sign of life besides the heartbeat), and
 * `recordError` then says why.
 */
export interface AttemptOutcome {
  schemaVersion: 1;
  attempt: number;
  supervisorPid: number;
  host: string;
  status: 'running' | 'succeeded' | 'failed' | 'cancelled';
  exitCode: number | null;
  signal: string | null;
  error: string | null;
  finishedAt: string | null;
  updatedAt: string;
  /** Why `progress.json` could not be written, while it could not (code, file, message). */
  recordError: string | null;
}
