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
} as const;

export type RunFileName = (typeof RUN_FILES)[keyof typeof RUN_FILES];
