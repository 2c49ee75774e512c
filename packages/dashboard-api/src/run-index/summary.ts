import type { StatusCounts } from './dashboard-status.js';
import { emptyStatusCounts } from './dashboard-status.js';
import type { RunEntry } from './run-view.js';

/** The whole set of runs at a glance (`GET /api/summary`, SSE `summary`). */
export interface DashboardSummary {
  /** Number of runs. */
  total: number;
  /** Runs by shown status, every status present. */
  counts: StatusCounts;
  /**
   * Progress 0–100 of the work that can still complete: (100 × succeeded + Σ progress of the
   * other runs that have not ended unsuccessfully) / (total − endedUnsuccessful); `null` when
   * that is 0. A failed or cancelled run is not counted as done.
   */
  percent: number | null;
  /** Runs that ended without success: failed, cancelled (and blocked, should a launcher store it). */
  endedUnsuccessful: number;
  /**
   * While the first scan runs: runs indexed so far, and the runs found in all (`null` until
   * the scan has found them all). `null` once the index is complete.
   */
  indexing: IndexingProgress | null;
  /** Runs doing work now: `running`, `stuck` or `starting`. */
  active: number;
  /**
   * Estimated seconds until the active and queued runs are done, at the current concurrency:
   * the larger of the longest remaining active run and (remaining work) / (active runs), where
   * a queued run costs the mean duration of the succeeded ones. `0` when nothing is left to do;
   * `null` when it cannot be estimated (queued runs and no finished run to learn from).
   */
  etaSeconds: number | null;
  /** `now + etaSeconds`, ISO-8601, or `null`. */
  etaAt: string | null;
  /** When this summary was computed (ISO-8601). */
  generatedAt: string;
}

/** Progress of the first scan (`DashboardSummary.indexing`). */
export interface IndexingProgress {
  indexed: number;
  total: number | null;
}

const ENDED_UNSUCCESSFUL: ReadonlySet<string> = new Set(['failed', 'cancelled', 'blocked']);
const ACTIVE = new Set(['running', 'stuck', 'starting']);

/**
 * Computes the summary of `entries` at time `now` (ms since the epoch).
 *
 * @example
 * summarizeRuns(table.values(), Date.now(), { indexed: 43_000, total: 100_000 });
 */
export function summarizeRuns(
  entries: Iterable<RunEntry>,
  now: number,
  indexing: IndexingProgress | null = null,
): DashboardSummary {
  const counts = emptyStatusCounts();
  let total = 0;
  let endedUnsuccessful = 0;
  let percentSum = 0;
  let queued = 0;
  let durationSum = 0;
  let durationCount = 0;
  const active: { remaining: number | null; percent: number | null; elapsed: number | null }[] = [];
  for (const entry of entries) {
    total += 1;
    counts[entry.status] += 1;
    const record = entry.record;
    if (ENDED_UNSUCCESSFUL.has(entry.status)) endedUnsuccessful += 1;
    else percentSum += entry.percent ?? 0; // 100 for a succeeded (or outdated) run
    if (!record) continue;
    if (record.status === 'succeeded') {
      const duration = secondsBetween(record.startedAt, record.finishedAt);
      if (duration !== null) {
        durationSum += duration;
        durationCount += 1;
      }
    }
    if (entry.status === 'queued') queued += 1;
    else if (ACTIVE.has(entry.status)) {
      const eta = record.progress?.etaSeconds;
      const reportedAt = Date.parse(record.updatedAt);
      const remaining =
        typeof eta === 'number' ? Math.max(0, eta - Math.max(0, now - reportedAt) / 1000) : null;
      const elapsed = record.startedAt
        ? Math.max(0, (now - Date.parse(record.startedAt)) / 1000)
        : null;
      active.push({ remaining, percent: entry.percent, elapsed });
    }
  }
  const etaSeconds = estimateEta(
    active,
    queued,
    durationCount > 0 ? durationSum / durationCount : null,
  );
  return {
    total,
    counts,
    percent: total === endedUnsuccessful ? null : percentSum / (total - endedUnsuccessful),
    endedUnsuccessful,
    indexing,
    active: active.length,
    etaSeconds,
    etaAt: etaSeconds === null ? null : new Date(now + etaSeconds * 1000).toISOString(),
    generatedAt: new Date(now).toISOString(),
  };
}

function estimateEta(
  active: readonly { remaining: number | null; percent: number | null; elapsed: number | null }[],
  queued: number,
  meanDuration: number | null,
): number | null {
  if (active.length === 0 && queued === 0) return 0;
  let duration = meanDuration;
  if (duration === null) {
    // No finished run yet: extrapolate from the active ones that have made progress.
    const estimates = active
      .filter((run) => run.elapsed !== null && run.percent !== null && run.percent > 0)
      .map((run) => (run.elapsed as number) / ((run.percent as number) / 100));
    if (estimates.length > 0)
      duration = estimates.reduce((sum, value) => sum + value, 0) / estimates.length;
  }
  let work = 0;
  let longest = 0;
  for (const run of active) {
    let remaining = run.remaining;
    if (remaining === null && duration !== null)
      remaining = duration * (1 - (run.percent ?? 0) / 100);
    if (remaining === null) return null;
    work += remaining;
    longest = Math.max(longest, remaining);
  }
  if (queued > 0) {
    if (duration === null) return null;
    work += queued * duration;
  }
  return Math.round(Math.max(longest, work / Math.max(1, active.length)));
}

function secondsBetween(
  start: string | null | undefined,
  end: string | null | undefined,
): number | null {
  if (!start || !end) return null;
  const seconds = (Date.parse(end) - Date.parse(start)) / 1000;
  return Number.isFinite(seconds) && seconds >= 0 ? seconds : null;
}
