import type { Stats } from 'node:fs';
import { isTerminalStatus, queuedWaiting } from '@runboard/launcher';
import type { DerivedState, RunRecord, RunStatus, RunWaiting } from '@runboard/launcher';
import type { DashboardStatus } from './dashboard-status.js';
import { UNREADABLE_STATUS } from './dashboard-status.js';

/** Why the latest read of a run's `progress.json` failed. */
export interface RunReadProblem {
  /** A stable code, e.g. `RUNBOARD_JSON_PARSE`, `RUNBOARD_JSON_VALIDATION`, `EACCES`. */
  code: string;
  /** A one-line message naming the file. */
  message: string;
  /** When the failed read happened (ISO-8601). */
  at: string;
}

/**
 * One run as the dashboard API sends it (`GET /api/runs`, `GET /api/runs/<id>`, SSE `run`).
 *
 * @example
 * // { id: 'cdd/run_2', status: 'stalled', storedStatus: 'running', derivedState: 'stalled',
 * //   percent: 40, etaSeconds: 600, updatedAt: '2025-…', readError: null, record: { … } }
 */
export interface RunView {
  /** The run id: the run folder's path relative to the root, `/`-separated. */
  id: string;
  /** What to show: the derived state when one applies, else the stored status; `unreadable` when the latest read failed. */
  status: DashboardStatus;
  /** The status stored in the last good record; `null` when no read ever succeeded. */
  storedStatus: RunStatus | null;
  /** The derived state of the last good record, if one applies. */
  derivedState: DerivedState | null;
  /** Progress 0–100 (100 for a succeeded run, else `progress.percent`, else `current / total`), or `null`. */
  percent: number | null;
  /** Remaining seconds as the run reported them at `updatedAt` (count down from there), or `null`. */
  etaSeconds: number | null;
  /** `updatedAt` of the last good record. */
  updatedAt: string | null;
  /** Set while the latest read of `progress.json` failed; `record` then holds the last good one. */
  readError: RunReadProblem | null;
  /**
   * Why a queued run waits (the launcher's `queuedWaiting`): its stored `waiting`, `slot` when
   * none is stored, `{ reason: 'no-launcher' }` when no launcher is live on the root; `null`
   * for runs that are not queued.
   */
  waiting: RunWaiting | null;
  /**
   * The last good run record, `null` when no read ever succeeded. In lists and `run` events
   * a list record (without `metrics`, `errorTail`, `finalWriteError`: see
   * {@link LIST_RECORD_OMITS}); `GET /api/runs/<id>` carries the whole record.
   */
  record: RunRecord | null;
}

/** The fields a list row's record leaves out: large, and only the detail shows them. */
export const LIST_RECORD_OMITS = ['metrics', 'errorTail', 'finalWriteError'] as const;

/**
 * The record as the index keeps it and lists send it: without {@link LIST_RECORD_OMITS}.
 * Memory per run is what 100,000 runs multiply (issue 15).
 */
export function listRecordOf(record: RunRecord): RunRecord {
  const { metrics, errorTail, finalWriteError, ...rest } = record;
  void metrics;
  void errorTail;
  void finalWriteError;
  return rest as RunRecord;
}

/** What the index keeps of a run. */
export interface RunEntry {
  readonly id: string;
  /** `id` in lower case, for the `q` filter. */
  readonly idLower: string;
  record: RunRecord | null;
  /** A hash of the record, to tell a real change from a rewrite of the same content. */
  recordHash: string | null;
  readError: RunReadProblem | null;
  /** Identity of the `progress.json` last read, to skip unchanged files on a rescan. */
  stamp: FileStamp | null;
  status: DashboardStatus;
  derivedState: DerivedState | null;
  percent: number | null;
  updatedAtMs: number;
  /** The rescan generation that last saw the run's folder. */
  generation: number;
}

/** A run the index has just met, before its first read is applied. */
export function newRunEntry(id: string, generation = 0): RunEntry {
  return {
    id,
    idLower: id.toLowerCase(),
    record: null,
    recordHash: null,
    readError: null,
    stamp: null,
    status: UNREADABLE_STATUS,
    derivedState: null,
    percent: null,
    updatedAtMs: 0,
    generation,
  };
}

/** Enough of a file's `lstat` to notice a rewrite (atomic writes change the inode). */
export interface FileStamp {
  ino: number;
  size: number;
  mtimeMs: number;
  ctimeMs: number;
}

export function stampOf(stats: Stats): FileStamp {
  return { ino: stats.ino, size: stats.size, mtimeMs: stats.mtimeMs, ctimeMs: stats.ctimeMs };
}

export function sameStamp(a: FileStamp | null, b: FileStamp | null): boolean {
  return (
    a !== null &&
    b !== null &&
    a.ino === b.ino &&
    a.size === b.size &&
    a.mtimeMs === b.mtimeMs &&
    a.ctimeMs === b.ctimeMs
  );
}

/** Progress 0–100 of a record, or `null` when it reports none. */
export function percentOf(record: RunRecord | null): number | null {
  if (!record) return null;
  if (record.status === 'succeeded') return 100;
  const progress = record.progress;
  let percent: number | null = null;
  if (progress) {
    if (typeof progress.percent === 'number') percent = progress.percent;
    else if (typeof progress.total === 'number' && progress.total > 0) {
      percent = (progress.current / progress.total) * 100;
    }
  }
  return percent === null ? null : Math.min(100, Math.max(0, percent));
}

/**
 * What is sent of a run. `liveLaunchers`: launchers live on the root (`null`: not known yet).
 * `record`: the whole record read for the detail, instead of the list record kept.
 */
export function toRunView(
  entry: RunEntry,
  liveLaunchers: number | null = null,
  record: RunRecord | null = entry.record,
): RunView {
  return {
    id: entry.id,
    status: entry.status,
    storedStatus: record?.status ?? null,
    derivedState: entry.derivedState,
    percent: entry.percent,
    etaSeconds: record?.progress?.etaSeconds ?? null,
    updatedAt: record?.updatedAt ?? null,
    readError: entry.readError,
    // Not known yet (before the first look at the root's launchers): as if one were live.
    waiting: record ? (queuedWaiting(record, liveLaunchers ?? 1) ?? null) : null,
    record,
  };
}

/** Whether a run may still change by itself (not finished, or unreadable): worth an OS watch. */
export function isActiveEntry(entry: RunEntry): boolean {
  return (
    entry.readError !== null || entry.record === null || !isTerminalStatus(entry.record.status)
  );
}
