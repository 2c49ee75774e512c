/** The states a run record stores, in lifecycle order. `queued` and `starting` come before the job runs. */
export const RUN_STATUSES = [
  'queued',
  'starting',
  'running',
  'succeeded',
  'failed',
  'cancelled',
] as const;

export type RunStatus = (typeof RUN_STATUSES)[number];

/** Statuses after which a run's supervisor is gone and the record no longer changes by itself. */
export const TERMINAL_STATUSES: ReadonlySet<RunStatus> = new Set<RunStatus>([
  'succeeded',
  'failed',
  'cancelled',
]);

/**
 * Whether a stored status is final.
 *
 * @example
 * isTerminalStatus('succeeded'); // true
 * isTerminalStatus('running'); // false
 */
export function isTerminalStatus(status: RunStatus): boolean {
  return TERMINAL_STATUSES.has(status);
}
