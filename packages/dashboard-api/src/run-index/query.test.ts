import { describe, expect, test } from 'vitest';
import type { DashboardStatus } from './dashboard-status.js';
import { InvalidRunQueryError, queryRuns } from './query.js';
import { newRunEntry } from './run-view.js';
import type { RunEntry } from './run-view.js';

function entry(
  id: string,
  status: DashboardStatus,
  percent: number | null,
  updatedAtMs: number,
): RunEntry {
  return { ...newRunEntry(id), status, percent, updatedAtMs };
}

const entries: RunEntry[] = [
  entry('sweep/b', 'running', 50, 3000),
  entry('sweep/a', 'failed', 20, 1000),
  entry('Other/C', 'running', null, 2000),
  entry('sweep/d', 'stalled', 80, 4000),
  entry('e', 'succeeded', 100, 5000),
];

const ids = (page: { runs: { id: string }[] }): string[] => page.runs.map((run) => run.id);

describe('queryRuns', () => {
  test('sorts by id by default and counts every status', () => {
    const page = queryRuns(entries, {});
    expect(ids(page)).toEqual(['Other/C', 'e', 'sweep/a', 'sweep/b', 'sweep/d']);
    expect(page.total).toBe(5);
    expect(page.nextCursor).toBeNull();
    expect(page.counts).toMatchObject({
      running: 2,
      failed: 1,
      stalled: 1,
      succeeded: 1,
      queued: 0,
      unreadable: 0,
    });
  });

  test('filters by several statuses, stored or derived', () => {
    const page = queryRuns(entries, { status: ['running', 'stalled'] });
    expect(ids(page)).toEqual(['Other/C', 'sweep/b', 'sweep/d']);
    expect(page.total).toBe(3);
    // Counts ignore the status filter, so they can label the filter buttons.
    expect(page.counts.failed).toBe(1);
  });

  test('q matches a substring of the id, case-insensitively, and narrows the counts', () => {
    const page = queryRuns(entries, { q: 'SWEEP/' });
    expect(ids(page)).toEqual(['sweep/a', 'sweep/b', 'sweep/d']);
    expect(page.counts.running).toBe(1);
    expect(page.counts.succeeded).toBe(0);
  });

  test.each([
    ['updatedAt', 'asc', ['sweep/a', 'Other/C', 'sweep/b', 'sweep/d', 'e']],
    ['updatedAt', 'desc', ['e', 'sweep/d', 'sweep/b', 'Other/C', 'sweep/a']],
    ['progress', 'desc', ['e', 'sweep/d', 'sweep/b', 'sweep/a', 'Other/C']],
    ['status', 'asc', ['sweep/a', 'sweep/d', 'Other/C', 'sweep/b', 'e']],
  ] as const)('sorts by %s %s', (sort, order, expected) => {
    expect(ids(queryRuns(entries, { sort, order }))).toEqual(expected);
  });

  test('pages with a cursor without skipping or repeating runs', () => {
    for (const sort of ['id', 'updatedAt', 'progress', 'status'] as const) {
      const seen: string[] = [];
      let cursor: string | undefined;
      for (let page = 0; page < 10; page += 1) {
        const result = queryRuns(entries, { sort, order: 'desc', limit: 2, cursor });
        seen.push(...ids(result));
        expect(result.total).toBe(5);
        if (!result.nextCursor) break;
        cursor = result.nextCursor;
      }
      expect(seen).toEqual(ids(queryRuns(entries, { sort, order: 'desc' })));
    }
  });

  test('a run that changes between pages is neither skipped nor repeated by the others', () => {
    const first = queryRuns(entries, { sort: 'id', limit: 2 });
    const changed = [...entries, entry('a-new-run', 'queued', null, 0)];
    const second = queryRuns(changed, {
      sort: 'id',
      limit: 10,
      cursor: first.nextCursor ?? undefined,
    });
    expect([...ids(first), ...ids(second)]).toEqual([
      'Other/C',
      'e',
      'sweep/a',
      'sweep/b',
      'sweep/d',
    ]);
  });

  test.each([
    [{ limit: 0 }, 'limit'],
    [{ limit: 1001 }, 'limit'],
    [{ limit: 1.5 }, 'limit'],
    [{ sort: 'name' as never }, 'sort'],
    [{ order: 'up' as never }, 'order'],
    [{ status: ['done' as never] }, 'status'],
    [{ cursor: 'not-a-cursor' }, 'cursor'],
  ])('refuses %j', (query, parameter) => {
    expect(() => queryRuns(entries, query)).toThrow(InvalidRunQueryError);
    try {
      queryRuns(entries, query);
    } catch (error) {
      expect((error as InvalidRunQueryError).parameter).toBe(parameter);
      expect((error as InvalidRunQueryError).code).toBe('RUNBOARD_INVALID_QUERY');
    }
  });

  test('refuses a cursor of another sort order', () => {
    const { nextCursor } = queryRuns(entries, { sort: 'id', limit: 1 });
    expect(() => queryRuns(entries, { sort: 'updatedAt', cursor: nextCursor ?? '' })).toThrow(
      /another sort/,
    );
  });
});
