import type { RunRecord } from './run-record.js';
import type { RunStatus } from './run-status.js';

/** States computed by readers from a record and a clock; never stored. */
export const DERIVED_STATES = ['stalled', 'stuck', 'outdated'] as const;

export type DerivedState = (typeof DERIVED_STATES)[number];

/** What a reader shows for a run: its stored status, or the derived state that overrides it. */
export type DisplayStatus = RunStatus | DerivedState;

/** Thresholds of the derived states, in seconds (`outdatedAfterSeconds` off when undefined). */
export interface DerivedStateThresholds {
  /** A running run whose heartbeat is older than this is `stalled`. Default 60 s. */
  stalledAfterSeconds: number;
  /** A running run whose progress has not changed for this long is `stuck`. Default 30 min. */
  stuckAfterSeconds: number;
  /** A succeeded run that finished longer ago than this is `outdated`. Default: never. */
  outdatedAfterSeconds?: number;
}

/** The thresholds used where a reader sets none: stalled after 60 s, stuck after 30 min, never outdated. */
export const DEFAULT_DERIVED_STATE_THRESHOLDS: DerivedStateThresholds = {
  stalledAfterSeconds: 60,
  stuckAfterSeconds: 30 * 60,
};

/** Settings of {@link deriveState} and {@link displayStatus}. */
export interface DeriveStateOptions {
  /** The reader's clock, in ms since the epoch. Default `Date.now()`. */
  now?: number;
  thresholds?: Partial<DerivedStateThresholds>;
  /**
   * Whether process `pid` of the record's `host` is alive, when the reader can tell (same host).
   * Return `undefined` when it cannot. A dead supervisor makes a running run `stalled` at once.
   */
  isProcessAlive?: (host: string, pid: number) => boolean | undefined;
}

/**
 * The derived state of a record, or `undefined` when none applies.
 * A pure function of the record, the clock, the thresholds and the liveness probe.
 *
 * - `stalled`: `running` whose heartbeat (else start) is older than `stalledAfterSeconds`, or
 *   whose supervisor is dead on this host; also `starting` whose claim is older than that or
 *   whose launcher is dead on this host (a launcher that died between claim and start).
 * - `stuck`: `running`, heartbeat fresh, but progress reported and unchanged for
 *   `stuckAfterSeconds`. A job that never reports progress is never stuck.
 * - `outdated`: `succeeded` longer ago than `outdatedAfterSeconds` (when set).
 *
 * @example
 * deriveState(record, { now: Date.now(), thresholds: { stalledAfterSeconds: 30 } });
 * // 'stalled' when a running run's heartbeat is older than 30 s
 */
export function deriveState(
  record: RunRecord,
  options: DeriveStateOptions = {},
): DerivedState | undefined {
  const now = options.now ?? Date.now();
  const thresholds = { ...DEFAULT_DERIVED_STATE_THRESHOLDS, ...options.thresholds };
  const olderThan = (time: number | undefined, seconds: number): boolean =>
    time !== undefined && now - time > seconds * 1000;
  switch (record.status) {
    case 'running': {
      if (isSupervisorGone(record, options.isProcessAlive)) return 'stalled';
      const heartbeat =
        timeOf(record.heartbeatAt) ?? timeOf(record.startedAt) ?? timeOf(record.updatedAt);
      if (olderThan(heartbeat, thresholds.stalledAfterSeconds)) return 'stalled';
      if (record.progress != null) {
        const progressChanged = timeOf(record.progressChangedAt) ?? timeOf(record.startedAt);
        if (olderThan(progressChanged, thresholds.stuckAfterSeconds)) return 'stuck';
      }
      return undefined;
    }
    case 'starting': {
      if (isLauncherGone(record, options.isProcessAlive)) return 'stalled';
      if (olderThan(timeOf(record.updatedAt), thresholds.stalledAfterSeconds)) return 'stalled';
      return undefined;
    }
    case 'succeeded': {
      if (thresholds.outdatedAfterSeconds === undefined) return undefined;
      const finished = timeOf(record.finishedAt) ?? timeOf(record.updatedAt);
      return olderThan(finished, thresholds.outdatedAfterSeconds) ? 'outdated' : undefined;
    }
    default:
      return undefined;
  }
}

/**
 * The status a reader shows: the derived state when one applies, else the stored status.
 *
 * @example
 * displayStatus(record); // 'running' | 'stalled' | 'stuck' | 'succeeded' | …
 */
export function displayStatus(record: RunRecord, options: DeriveStateOptions = {}): DisplayStatus {
  return deriveState(record, options) ?? record.status;
}

function isSupervisorGone(
  record: RunRecord,
  isProcessAlive: DeriveStateOptions['isProcessAlive'],
): boolean {
  if (!isProcessAlive || !record.host) return false;
  const pid = record.supervisorPid ?? record.pid;
  if (!pid) return false;
  return isProcessAlive(record.host, pid) === false;
}

function isLauncherGone(
  record: RunRecord,
  isProcessAlive: DeriveStateOptions['isProcessAlive'],
): boolean {
  if (!isProcessAlive || !record.launcher) return false;
  return isProcessAlive(record.launcher.host, record.launcher.pid) === false;
}

function timeOf(iso: string | null | undefined): number | undefined {
  if (!iso) return undefined;
  const time = Date.parse(iso);
  return Number.isNaN(time) ? undefined : time;
}
