import { DERIVED_STATES, RUN_STATUSES } from '@runboard/launcher';
import type { DisplayStatus } from '@runboard/launcher';

/** The status of a run whose `progress.json` cannot be read or is not a valid run record. */
export const UNREADABLE_STATUS = 'unreadable' as const;

/**
 * Every status the dashboard shows: the stored ones, the derived ones (`stalled`, `stuck`,
 * `outdated`) and `unreadable`.
 */
export const DASHBOARD_STATUSES = [...RUN_STATUSES, ...DERIVED_STATES, UNREADABLE_STATUS] as const;

export type DashboardStatus = DisplayStatus | typeof UNREADABLE_STATUS;

/**
 * The order of `sort=status`: what needs attention first, finished work last
 * (the web page's default order).
 */
export const STATUS_SORT_ORDER: readonly DashboardStatus[] = [
  'failed',
  'unreadable',
  'stalled',
  'stuck',
  'running',
  'starting',
  'queued',
  'cancelled',
  'succeeded',
  'outdated',
];

const DASHBOARD_STATUS_SET: ReadonlySet<string> = new Set(DASHBOARD_STATUSES);

/**
 * Whether `value` is a status the dashboard knows.
 *
 * @example
 * isDashboardStatus('stalled'); // true
 * isDashboardStatus('done'); // false
 */
export function isDashboardStatus(value: string): value is DashboardStatus {
  return DASHBOARD_STATUS_SET.has(value);
}

/** Counts of runs by status, every known status present (zero when none). */
export type StatusCounts = Record<DashboardStatus, number>;

/** A fresh count table with every status at zero. */
export function emptyStatusCounts(): StatusCounts {
  return Object.fromEntries(DASHBOARD_STATUSES.map((status) => [status, 0])) as StatusCounts;
}
