import type { DashboardStatus, StatusCounts } from './dashboard-status.js';
import { STATUS_SORT_ORDER, emptyStatusCounts, isDashboardStatus } from './dashboard-status.js';
import type { RunEntry, RunView } from './run-view.js';
import { toRunView } from './run-view.js';

/** The fields `GET /api/runs` sorts by; ties are broken by id. */
export const RUN_SORT_KEYS = ['id', 'updatedAt', 'progress', 'status'] as const;

export type RunSortKey = (typeof RUN_SORT_KEYS)[number];

/** The directions `GET /api/runs` sorts in (`order`). */
export const SORT_ORDERS = ['asc', 'desc'] as const;

export type SortOrder = (typeof SORT_ORDERS)[number];

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

type SortKeyOf = (entry: RunEntry) => number | string;

const STATUS_RANK = new Map<DashboardStatus, number>(
  STATUS_SORT_ORDER.map((status, index) => [status, index]),
);

const SORT_KEY_OF: Record<RunSortKey, SortKeyOf> = {
  id: (entry) => entry.id,
  updatedAt: (entry) => entry.updatedAtMs,
  progress: (entry) => entry.percent ?? -1,
  status: (entry) => STATUS_RANK.get(entry.status) ?? STATUS_SORT_ORDER.length,
};

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

/**
 * Filters, counts, sorts and pages `entries`. Paging is by key (the last run's sort value and
 * id), so runs that change between two pages are neither skipped nor repeated because of it.
 */
export function queryRuns(entries: Iterable<RunEntry>, query: RunListQuery): RunListPage {
  const { status, q, sort, order, limit, cursor } = normalizeRunListQuery(query);
  const wanted = status.length > 0 ? new Set<string>(status) : null;
  const needle = q.toLowerCase();
  const keyOf = SORT_KEY_OF[sort];
  const direction = order === 'asc' ? 1 : -1;
  const counts = emptyStatusCounts();
  const matches: { entry: RunEntry; key: number | string }[] = [];
  let total = 0;
  for (const entry of entries) {
    if (needle !== '' && !entry.idLower.includes(needle)) continue;
    counts[entry.status] += 1;
    if (wanted && !wanted.has(entry.status)) continue;
    total += 1;
    const key = keyOf(entry);
    if (cursor && compare(key, entry.id, cursor.key, cursor.id, direction) <= 0) continue;
    matches.push({ entry, key });
  }
  matches.sort((a, b) => compare(a.key, a.entry.id, b.key, b.entry.id, direction));
  const page = matches.slice(0, limit);
  const last = page[page.length - 1];
  const nextCursor =
    matches.length > limit && last
      ? encodeCursor(sort, order, { key: last.key, id: last.entry.id })
      : null;
  return { runs: page.map(({ entry }) => toRunView(entry)), nextCursor, total, counts };
}

function compare(
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
