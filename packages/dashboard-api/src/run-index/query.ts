import type { DashboardStatus, StatusCounts } from './dashboard-status.js';
import { emptyStatusCounts, isDashboardStatus } from './dashboard-status.js';
import { RUN_SORT_KEYS, SORT_KEY_OF, SORT_ORDERS, compareKeys, sortEntries } from './run-order.js';
import type { RunSortKey, SortOrder } from './run-order.js';
import type { RunEntry, RunView } from './run-view.js';
import { toRunView } from './run-view.js';

export { RUN_SORT_KEYS, SORT_ORDERS } from './run-order.js';
export type { RunSortKey, SortOrder } from './run-order.js';

/** The most runs one page holds. */
export const MAX_RUN_LIST_LIMIT = 1000;

/** The page size when `limit` is not given. */
export const DEFAULT_RUN_LIST_LIMIT = 100;

/** A query of the run list; every field is optional. */
export interface RunListQuery {
  /** Keep runs whose shown status is one of these (stored or derived, or `unreadable`). */
  status?: readonly DashboardStatus[];
  /** Keep runs whose id contains this text (case-insensitive). */
  q?: string;
  /** Default `id`. `status` sorts what needs attention first (see {@link STATUS_SORT_ORDER}). */
  sort?: RunSortKey;
  /** Default `asc`. */
  order?: SortOrder;
  /** 1 to {@link MAX_RUN_LIST_LIMIT}; default {@link DEFAULT_RUN_LIST_LIMIT}. */
  limit?: number;
  /** `nextCursor` of the previous page, for the same `sort` and `order`. */
  cursor?: string;
}

/** One page of the run list. */
export interface RunListPage {
  runs: RunView[];
  /** Pass as `cursor` for the next page; `null` on the last page. */
  nextCursor: string | null;
  /** How many runs match the whole query (all pages). */
  total: number;
  /**
   * Runs by status among those matching `q` (the `status` filter is not applied, so the counts
   * can label status filter buttons).
   */
  counts: StatusCounts;
}

/** A query the index cannot answer: a bad `status`, `sort`, `order`, `limit` or `cursor`. */
export class InvalidRunQueryError extends Error {
  override readonly name = 'InvalidRunQueryError';
  readonly code = 'RUNBOARD_INVALID_QUERY';
  constructor(
    readonly parameter: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

interface CursorPosition {
  key: number | string;
  id: string;
}

/** Checks a query's values, throwing {@link InvalidRunQueryError} for the first bad one. */
export function normalizeRunListQuery(query: RunListQuery): Required<
  Omit<RunListQuery, 'cursor'>
> & {
  cursor: CursorPosition | null;
} {
  const sort = query.sort ?? 'id';
  if (!(RUN_SORT_KEYS as readonly string[]).includes(sort)) {
    throw new InvalidRunQueryError('sort', `sort must be one of ${RUN_SORT_KEYS.join(', ')}`);
  }
  const order = query.order ?? 'asc';
  if (!(SORT_ORDERS as readonly string[]).includes(order)) {
    throw new InvalidRunQueryError('order', 'order must be asc or desc');
  }
  const limit = query.limit ?? DEFAULT_RUN_LIST_LIMIT;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_RUN_LIST_LIMIT) {
    throw new InvalidRunQueryError(
      'limit',
      `limit must be an integer from 1 to ${MAX_RUN_LIST_LIMIT}`,
    );
  }
  const status = query.status ?? [];
  for (const value of status) {
    if (!isDashboardStatus(value)) {
      throw new InvalidRunQueryError('status', `unknown status ${JSON.stringify(value)}`);
    }
  }
  return {
    status,
    q: query.q ?? '',
    sort,
    order,
    limit,
    cursor: query.cursor ? decodeCursor(query.cursor, sort, order) : null,
  };
}

/** Runs already in order, with their counts by status (the index's table). */
export interface SortedRunSource {
  ordered(sort: RunSortKey, order: SortOrder): readonly RunEntry[];
  statusCounts(): Readonly<StatusCounts>;
}

/**
 * Filters, counts and pages the runs. Paging is by key (the last run's sort value and id), so
 * runs that change between two pages are neither skipped nor repeated because of it. Given a
 * {@link SortedRunSource}, a page costs a binary search to the cursor and a walk until the page
 * is full (plus one pass for `q`'s counts), not a sort. `toView` makes each row.
 *
 * @example
 * queryRuns(entries, { status: ['failed'], sort: 'updatedAt', order: 'desc', limit: 50 });
 */
export function queryRuns(
  source: Iterable<RunEntry> | SortedRunSource,
  query: RunListQuery,
  toView: (entry: RunEntry) => RunView = (entry) => toRunView(entry),
): RunListPage {
  const { status, q, sort, order, limit, cursor } = normalizeRunListQuery(query);
  const sorted = 'ordered' in source;
  const ordered = sorted ? source.ordered(sort, order) : sortEntries(source, sort, order);
  const wanted = status.length > 0 ? new Set<string>(status) : null;
  const needle = q.toLowerCase();
  const matchesQ = (entry: RunEntry): boolean => needle === '' || entry.idLower.includes(needle);
  const counts = emptyStatusCounts();
  if (needle === '' && sorted) Object.assign(counts, source.statusCounts());
  else for (const entry of ordered) if (matchesQ(entry)) counts[entry.status] += 1;
  let total = 0;
  for (const [name, count] of Object.entries(counts))
    if (!wanted || wanted.has(name)) total += count;
  const keyOf = SORT_KEY_OF[sort];
  const direction = order === 'asc' ? 1 : -1;
  const start = cursor ? firstAfter(ordered, cursor, keyOf, direction) : 0;
  const page: RunEntry[] = [];
  let more = false;
  for (let i = start; i < ordered.length; i += 1) {
    const entry = ordered[i];
    if (!matchesQ(entry) || (wanted && !wanted.has(entry.status))) continue;
    if (page.length === limit) {
      more = true;
      break;
    }
    page.push(entry);
  }
  const last = page[page.length - 1];
  const nextCursor =
    more && last ? encodeCursor(sort, order, { key: keyOf(last), id: last.id }) : null;
  return { runs: page.map(toView), nextCursor, total, counts };
}

/** The index of the first run after `cursor` in `ordered` (a binary search). */
function firstAfter(
  ordered: readonly RunEntry[],
  cursor: CursorPosition,
  keyOf: (entry: RunEntry) => number | string,
  direction: number,
): number {
  let low = 0;
  let high = ordered.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    const entry = ordered[middle];
    if (compareKeys(keyOf(entry), entry.id, cursor.key, cursor.id, direction) <= 0)
      low = middle + 1;
    else high = middle;
  }
  return low;
}

function encodeCursor(sort: RunSortKey, order: SortOrder, position: CursorPosition): string {
  return Buffer.from(JSON.stringify([sort, order, position.key, position.id]), 'utf8').toString(
    'base64url',
  );
}

function decodeCursor(cursor: string, sort: RunSortKey, order: SortOrder): CursorPosition {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch (error) {
    throw new InvalidRunQueryError('cursor', 'cursor is not a cursor this server issued', {
      cause: error,
    });
  }
  if (
    !Array.isArray(value) ||
    value.length !== 4 ||
    (typeof value[2] !== 'number' && typeof value[2] !== 'string') ||
    typeof value[3] !== 'string'
  ) {
    throw new InvalidRunQueryError('cursor', 'cursor is not a cursor this server issued');
  }
  if (value[0] !== sort || value[1] !== order) {
    throw new InvalidRunQueryError(
      'cursor',
      'cursor belongs to another sort or order; start again without it',
    );
  }
  return { key: value[2], id: value[3] };
}
