import { sameRow } from './run-row.js';
import type { RunRow } from './run-row.js';
import { UNSUCCESSFUL_STATUSES, statusRank } from './status.js';

/** The table's sort keys. */
export const SORT_KEYS = {
  status: 'status',
  id: 'id',
  progress: 'progress',
  updated: 'updated',
} as const;

export type SortKey = (typeof SORT_KEYS)[keyof typeof SORT_KEYS];

export interface RunSort {
  key: SortKey;
  descending: boolean;
}

export interface RunFilter {
  /** Space-separated terms; a run matches when its id contains every term (case-insensitive). */
  text: string;
  /** Shown statuses; empty means all. */
  statuses: ReadonlySet<string>;
}

/**
 * Every run the page knows, keyed by id. The API's list and events feed it; the table
 * asks it for the filtered, sorted rows. `version` grows with every change that matters
 * to rendering, so a view can skip work when nothing changed.
 */
export class RunStore {
  private readonly runs = new Map<string, RunRow>();
  version = 0;

  get size(): number {
    return this.runs.size;
  }

  get(id: string): RunRow | undefined {
    return this.runs.get(id);
  }

  /** Adds or replaces a run; returns whether anything visible changed. */
  upsert(row: RunRow): boolean {
    const previous = this.runs.get(row.id);
    this.runs.set(row.id, row);
    if (previous && sameRow(previous, row)) return false;
    this.version += 1;
    return true;
  }

  remove(id: string): boolean {
    const removed = this.runs.delete(id);
    if (removed) this.version += 1;
    return removed;
  }

  /** Replaces every run (after a full reload), keeping the rows that did not change. */
  replaceAll(rows: Iterable<RunRow>): void {
    const seen = new Set<string>();
    for (const row of rows) {
      seen.add(row.id);
      this.upsert(row);
    }
    for (const id of [...this.runs.keys()]) {
      if (!seen.has(id)) this.remove(id);
    }
  }

  /** The number of runs per shown status. */
  counts(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const row of this.runs.values()) counts.set(row.status, (counts.get(row.status) ?? 0) + 1);
    return counts;
  }

  /** The runs that pass `filter`, in `sort` order. */
  select(filter: RunFilter, sort: RunSort): RunRow[] {
    const terms = filter.text.toLowerCase().split(/\s+/).filter(Boolean);
    const rows: RunRow[] = [];
    for (const row of this.runs.values()) {
      if (filter.statuses.size > 0 && !filter.statuses.has(row.status)) continue;
      if (terms.length > 0) {
        const id = row.id.toLowerCase();
        if (!terms.every((term) => id.includes(term))) continue;
      }
      rows.push(row);
    }
    const compare = COMPARATORS[sort.key];
    rows.sort(sort.descending ? (a, b) => compare(b, a) : compare);
    return rows;
  }

  /** Every run, in no particular order. */
  all(): IterableIterator<RunRow> {
    return this.runs.values();
  }
}

const byId = (a: RunRow, b: RunRow): number => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

const COMPARATORS: Readonly<Record<SortKey, (a: RunRow, b: RunRow) => number>> = {
  id: byId,
  status: (a, b) => statusRank(a.status) - statusRank(b.status) || byId(a, b),
  progress: (a, b) => (a.percent ?? -1) - (b.percent ?? -1) || byId(a, b),
  updated: (a, b) => (a.updatedAtMs ?? 0) - (b.updatedAtMs ?? 0) || byId(a, b),
};

/**
 * The whole set's progress when the server's summary does not say, as the server counts it:
 * the progress of the work that can still complete (finished runs count as 100 %, runs that
 * ended without success are left out and counted apart), and the longest remaining ETA.
 */
export function overallProgress(
  rows: Iterable<RunRow>,
  nowMs: number,
  remaining: (row: RunRow, nowMs: number) => number | null,
): { percent: number | null; etaSeconds: number | null; endedUnsuccessful: number } {
  let sum = 0;
  let count = 0;
  let endedUnsuccessful = 0;
  let eta: number | null = null;
  for (const row of rows) {
    if (UNSUCCESSFUL_STATUSES.has(row.status)) {
      endedUnsuccessful += 1;
      continue;
    }
    const percent = row.status === 'succeeded' || row.status === 'outdated' ? 100 : row.percent;
    sum += percent ?? 0;
    count += 1;
    const left = remaining(row, nowMs);
    if (left !== null && (row.status === 'running' || row.status === 'stuck')) {
      eta = Math.max(eta ?? 0, left);
    }
  }
  return { percent: count === 0 ? null : sum / count, etaSeconds: eta, endedUnsuccessful };
}
