import { expect, test } from 'vitest';
import { remainingSeconds, toRunRow } from './run-row.js';
import type { RunRow } from './run-row.js';
import { RunStore, overallProgress } from './run-store.js';

function row(
  id: string,
  status: string,
  percent: number | null,
  updatedAt = '2026-01-01T00:00:00Z',
): RunRow {
  return toRunRow({ id, status, percent, updatedAt, etaSeconds: null, record: null })!;
}

function filledStore(): RunStore {
  const store = new RunStore();
  store.replaceAll([
    row('sweep/lr=0.1', 'running', 40, '2026-01-01T00:00:03Z'),
    row('sweep/lr=0.01', 'succeeded', 100, '2026-01-01T00:00:01Z'),
    row('sweep/lr=1', 'failed', 10, '2026-01-01T00:00:02Z'),
    row('eval/base', 'queued', null, '2026-01-01T00:00:00Z'),
  ]);
  return store;
}

const ids = (rows: RunRow[]): string[] => rows.map((one) => one.id);
const all = { text: '', statuses: new Set<string>() };

test('the default order puts what needs attention first', () => {
  const rows = filledStore().select(all, { key: 'status', descending: false });
  expect(ids(rows)).toEqual(['sweep/lr=1', 'sweep/lr=0.1', 'eval/base', 'sweep/lr=0.01']);
});

test('sorts by id, progress and update time, both ways', () => {
  const store = filledStore();
  expect(ids(store.select(all, { key: 'id', descending: false }))).toEqual([
    'eval/base',
    'sweep/lr=0.01',
    'sweep/lr=0.1',
    'sweep/lr=1',
  ]);
  expect(ids(store.select(all, { key: 'progress', descending: true }))[0]).toBe('sweep/lr=0.01');
  expect(ids(store.select(all, { key: 'updated', descending: true }))).toEqual([
    'sweep/lr=0.1',
    'sweep/lr=1',
    'sweep/lr=0.01',
    'eval/base',
  ]);
});

test('the text filter needs every term in the id, case-insensitive; status filters combine', () => {
  const store = filledStore();
  const sort = { key: 'id', descending: false } as const;
  expect(ids(store.select({ text: 'SWEEP 0.1', statuses: new Set() }, sort))).toEqual([
    'sweep/lr=0.1',
  ]);
  expect(
    ids(store.select({ text: 'sweep', statuses: new Set(['failed', 'running']) }, sort)),
  ).toEqual(['sweep/lr=0.1', 'sweep/lr=1']);
  expect(store.select({ text: 'nothing', statuses: new Set() }, sort)).toEqual([]);
});

test('upsert reports only visible changes; replaceAll drops runs that are gone', () => {
  const store = filledStore();
  const version = store.version;
  expect(store.upsert(row('eval/base', 'queued', null))).toBe(false);
  expect(store.version).toBe(version);
  expect(store.upsert(row('eval/base', 'running', 5))).toBe(true);
  expect(store.version).toBe(version + 1);
  store.replaceAll([row('eval/base', 'running', 6)]);
  expect(store.size).toBe(1);
  expect(Object.fromEntries(store.counts())).toEqual({ running: 1 });
  expect(store.remove('eval/base')).toBe(true);
  expect(store.remove('eval/base')).toBe(false);
});

test('overallProgress counts finished runs as 100 % and skips cancelled ones', () => {
  const rows = [
    row('a', 'succeeded', null),
    row('b', 'running', 50),
    row('c', 'queued', null),
    row('d', 'cancelled', 3),
  ];
  const overall = overallProgress(rows, Date.now(), remainingSeconds);
  expect(overall.percent).toBe(50);
  expect(overallProgress([], Date.now(), remainingSeconds).percent).toBeNull();
});

test('overallProgress leaves runs that ended without success out of the percent and counts them', () => {
  const rows = [row('a', 'succeeded', null), row('b', 'failed', 0), row('c', 'cancelled', 40)];
  expect(overallProgress(rows, Date.now(), remainingSeconds)).toEqual({
    percent: 100,
    etaSeconds: null,
    endedUnsuccessful: 2,
  });
  expect(overallProgress([rows[1]!], Date.now(), remainingSeconds).percent).toBeNull();
});
