import { STATUS_SORT_ORDER } from './dashboard-status.js';
import type { DashboardStatus } from './dashboard-status.js';
import type { RunEntry } from './run-view.js';

/** The fields `GET /api/runs` sorts by; ties are broken by id. */
export const RUN_SORT_KEYS = ['id', 'updatedAt', 'progress', 'status'] as const;

export type RunSortKey = (typeof RUN_SORT_KEYS)[number];

/** The directions `GET /api/runs` sorts in (`order`). */
export const SORT_ORDERS = ['asc', 'desc'] as const;

export type SortOrder = (typeof SORT_ORDERS)[number];

const STATUS_RANK = new Map<DashboardStatus, number>(
  STATUS_SORT_ORDER.map((status, index) => [status, index]),
);

/** The value a run is sorted by. */
export const SORT_KEY_OF: Record<RunSortKey, (entry: RunEntry) => number | string> = {
  id: (entry) => entry.id,
  updatedAt: (entry) => entry.updatedAtMs,
  progress: (entry) => entry.percent ?? -1,
  status: (entry) => STATUS_RANK.get(entry.status) ?? STATUS_SORT_ORDER.length,
};

/** Orders by key in `direction` (1 or -1), ties by id ascending in both directions. */
export function compareKeys(
  keyA: number | string,
  idA: string,
  keyB: number | string,
  idB: string,
  direction: number,
): number {
  if (keyA !== keyB) return (keyA < keyB ? -1 : 1) * direction;
  if (idA === idB) return 0;
  return idA < idB ? -1 : 1;
}

function entryComparator(sort: RunSortKey, order: SortOrder) {
  const keyOf = SORT_KEY_OF[sort];
  const direction = order === 'asc' ? 1 : -1;
  return (a: RunEntry, b: RunEntry): number =>
    compareKeys(keyOf(a), a.id, keyOf(b), b.id, direction);
}

/** `entries` in the order of `sort` and `order`, as a new array. */
export function sortEntries(
  entries: Iterable<RunEntry>,
  sort: RunSortKey,
  order: SortOrder,
): RunEntry[] {
  return [...entries].sort(entryComparator(sort, order));
}

/** What {@link RunOrder} needs of the table: its runs and two change counters. */
export interface OrderedSource {
  values(): Iterable<RunEntry>;
  /** Grows when a run is added or removed. */
  readonly membershipVersion: number;
  /** Grows when a run is added or removed or a sort key (status, percent, updatedAt) changes. */
  readonly keysVersion: number;
}

/**
 * The runs sorted for each `sort` and `order` asked for, kept between requests: a list
 * request must not sort 100,000 runs (issue 15). A change of keys re-sorts the kept array in
 * place, which is nearly sorted already (a few runs moved), and that is close to one pass for
 * the engine's merge sort; only a run added or removed rebuilds it. Sorting by id needs no
 * re-sort when only keys change.
 */
export class RunOrder {
  private readonly sorted = new Map<
    string,
    { membership: number; keys: number; entries: RunEntry[] }
  >();

  constructor(private readonly source: OrderedSource) {}

  /** The runs in the order of `sort` and `order`; do not change the array. */
  ordered(sort: RunSortKey, order: SortOrder): readonly RunEntry[] {
    const { membershipVersion, keysVersion } = this.source;
    const name = `${sort} ${order}`;
    const kept = this.sorted.get(name);
    if (kept && kept.membership === membershipVersion) {
      if (sort !== 'id' && kept.keys !== keysVersion) {
        kept.entries.sort(entryComparator(sort, order));
        kept.keys = keysVersion;
      }
      return kept.entries;
    }
    const entries = sortEntries(this.source.values(), sort, order);
    this.sorted.set(name, { membership: membershipVersion, keys: keysVersion, entries });
    return entries;
  }
}
