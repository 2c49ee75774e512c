import type { Context } from 'hono';
import { MAX_RUN_LIST_LIMIT } from '../run-index/query.js';
import type { RunListQuery, RunSortKey, SortOrder } from '../run-index/query.js';
import type { DashboardStatus } from '../run-index/dashboard-status.js';
import { invalidQuery } from './api-error.js';

/**
 * `GET /api/runs`'s query: `status` repeatable or comma-separated, `q`, `sort`, `order`, `limit`,
 * `cursor`. The index checks the values it knows (`InvalidRunQueryError`).
 */
export function runListQuery(c: Context): RunListQuery {
  const status = (c.req.queries('status') ?? [])
    .flatMap((value) => value.split(','))
    .map((value) => value.trim())
    .filter((value) => value !== '');
  return {
    status: status as DashboardStatus[],
    q: c.req.query('q'),
    sort: c.req.query('sort') as RunSortKey | undefined,
    order: c.req.query('order') as SortOrder | undefined,
    limit: integerParam(c, 'limit', 1, MAX_RUN_LIST_LIMIT),
    cursor: c.req.query('cursor') || undefined,
  };
}

/**
 * The query parameter `name` as an integer from `min` to `max`; `undefined` when absent.
 *
 * @throws {ApiError} 400 `INVALID_QUERY` for anything else.
 */
export function integerParam(
  c: Context,
  name: string,
  min: number,
  max: number,
): number | undefined {
  const text = c.req.query(name);
  if (text === undefined || text === '') return undefined;
  const value = /^\d{1,16}$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max)
    throw invalidQuery(`${name} must be an integer from ${min} to ${max}`);
  return value;
}

/**
 * The query parameter `name` as a flag: `1`/`true`, or `0`/`false`/absent.
 *
 * @throws {ApiError} 400 `INVALID_QUERY` for anything else.
 */
export function booleanParam(c: Context, name: string): boolean {
  const text = c.req.query(name);
  if (text === undefined || text === '' || text === '0' || text === 'false') return false;
  if (text === '1' || text === 'true') return true;
  throw invalidQuery(`${name} must be 1, true, 0 or false`);
}
