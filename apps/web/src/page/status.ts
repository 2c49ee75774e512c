/**
 * The statuses the page shows: the stored ones, the derived ones, and `unreadable` for a run
 * whose `progress.json` cannot be read. The order is the table's default sort: what needs
 * attention first, finished work last.
 */
export const DISPLAY_STATUSES = [
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
] as const;

export type KnownDisplayStatus = (typeof DISPLAY_STATUSES)[number];

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

/** Whether a run with this status is doing work (its progress bar animates). */
export function isActiveStatus(status: string): boolean {
  return status === 'running' || status === 'starting';
}

/** A short description for the status badge's tooltip. */
export const STATUS_HINTS: Readonly<Record<KnownDisplayStatus, string>> = {
  queued: 'waiting to start',
  starting: 'claimed by a launcher, starting',
  running: 'running, heartbeat fresh',
  succeeded: 'finished successfully',
  failed: 'finished with an error',
  cancelled: 'cancelled on request',
  stalled: 'running, but its heartbeat is old or its supervisor is gone',
  stuck: 'running, but its progress has not changed for a long time',
  outdated: 'succeeded long ago',
  unreadable: 'its progress.json cannot be read',
};

/** A CSS-safe token for a status, used as `status-<token>` class. */
export function statusClass(status: string): string {
  return `status-${status.replace(/[^a-z0-9-]/gi, '') || 'unknown'}`;
}
