import type { DashboardStatus } from '@runboard/dashboard-api';

/** A status the page knows: the stored ones, the derived ones, and `unreadable`. */
export type KnownDisplayStatus = DashboardStatus;

/**
 * What each status means (the badge's tooltip), in the table's default order: what needs
 * attention first, finished work last. The type asks for every status of the API; the order
 * is the API's `STATUS_SORT_ORDER` (`test/api-contract.test.ts` checks it: the page runs in
 * the browser without a bundler, so it can take the API's types but not its values).
 */
export const STATUS_HINTS: Readonly<Record<KnownDisplayStatus, string>> = {
  failed: 'finished with an error',
  unreadable: 'its progress.json cannot be read',
  stalled: 'running, but its heartbeat is old or its supervisor is gone',
  stuck: 'running, but its progress has not changed for a long time',
  running: 'running, heartbeat fresh',
  starting: 'claimed by a launcher, starting',
  queued: 'waiting to start',
  cancelled: 'cancelled on request',
  succeeded: 'finished successfully',
  outdated: 'succeeded long ago',
};

/** Every status the page shows, in the table's default order. */
export const DISPLAY_STATUSES = Object.keys(STATUS_HINTS) as readonly KnownDisplayStatus[];

const RANK = new Map<string, number>(DISPLAY_STATUSES.map((status, index) => [status, index]));

/** Sort rank of a status; unknown statuses (from a newer server) sort after the known ones. */
export function statusRank(status: string): number {
  return RANK.get(status) ?? DISPLAY_STATUSES.length;
}

/** Statuses after which a run no longer changes by itself (cancel makes no sense). */
export const FINAL_STATUSES: ReadonlySet<string> = new Set([
  'succeeded',
  'failed',
  'cancelled',
  'outdated',
]);

/** Statuses of runs that ended without success: left out of the overall percent. */
export const UNSUCCESSFUL_STATUSES: ReadonlySet<string> = new Set([
  'failed',
  'cancelled',
  'blocked',
]);

/** Whether a run with this status is doing work (its progress bar animates). */
export function isActiveStatus(status: string): boolean {
  return status === 'running' || status === 'starting';
}

/** A CSS-safe token for a status, used as `status-<token>` class. */
export function statusClass(status: string): string {
  return `status-${status.replace(/[^a-z0-9-]/gi, '') || 'unknown'}`;
}
