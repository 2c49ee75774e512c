import { expect, test } from 'vitest';
import { remainingSeconds, sameRow, toRunRow } from './run-row.js';

const record = {
  schemaVersion: 1,
  id: 'cdd/run_2',
  status: 'running',
  attempt: 2,
  maxAttempts: 3,
  command: ['python', 'train.py'],
  host: 'gpu-box-1',
  gpus: [0, 1],
  updatedAt: '2026-01-01T12:00:00.000Z',
  progress: { current: 12, total: 48, unit: 'epoch', etaSeconds: 600, message: 'warming up' },
  metrics: { loss: 0.5, acc: null },
};

test('a run view of the dashboard API becomes a row with its shown status', () => {
  const row = toRunRow({
    id: 'cdd/run_2',
    status: 'stalled',
    storedStatus: 'running',
    derivedState: 'stalled',
    percent: 25,
    etaSeconds: 600,
    updatedAt: record.updatedAt,
    readError: null,
    record,
  });
  expect(row).toMatchObject({
    id: 'cdd/run_2',
    status: 'stalled',
    storedStatus: 'running',
    percent: 25,
    current: 12,
    total: 48,
    unit: 'epoch',
    etaSeconds: 600,
    updatedAtMs: Date.parse(record.updatedAt),
    attempt: 2,
    maxAttempts: 3,
    gpus: [0, 1],
    host: 'gpu-box-1',
    message: 'warming up',
    error: null,
    metrics: { loss: 0.5, acc: null },
  });
});

test('percent is computed from current / total when the view has none, and 100 for a success', () => {
  expect(toRunRow(record)?.percent).toBe(25);
  expect(toRunRow({ ...record, status: 'succeeded', progress: null })?.percent).toBe(100);
  expect(toRunRow({ ...record, progress: { current: 3 } })?.percent).toBeNull();
});

test('an unreadable run shows its read error and keeps no stored status when none was read', () => {
  const row = toRunRow({
    id: 'broken',
    status: 'unreadable',
    storedStatus: null,
    percent: null,
    etaSeconds: null,
    updatedAt: null,
    readError: {
      code: 'RUNBOARD_JSON_PARSE',
      message: 'progress.json is not JSON',
      at: '2026-01-01T00:00:00Z',
    },
    record: null,
  });
  expect(row).toMatchObject({
    status: 'unreadable',
    storedStatus: null,
    percent: null,
    error: 'RUNBOARD_JSON_PARSE: progress.json is not JSON',
    record: null,
  });
});

test('anything without an id is rejected', () => {
  expect(toRunRow(null)).toBeUndefined();
  expect(toRunRow({ status: 'running' })).toBeUndefined();
  expect(toRunRow({ id: '' })).toBeUndefined();
  expect(toRunRow([record])).toBeUndefined();
});

test('remainingSeconds counts the ETA down from the last update, never below zero', () => {
  const row = toRunRow(record)!;
  const updated = Date.parse(record.updatedAt);
  expect(remainingSeconds(row, updated)).toBe(600);
  expect(remainingSeconds(row, updated + 100_000)).toBe(500);
  expect(remainingSeconds(row, updated + 10_000_000)).toBe(0);
  expect(remainingSeconds(toRunRow({ ...record, progress: null })!, updated)).toBeNull();
});

test('sameRow tells a re-sent record from a changed one', () => {
  const a = toRunRow(record)!;
  expect(sameRow(a, toRunRow({ ...record })!)).toBe(true);
  expect(sameRow(a, toRunRow({ ...record, progress: { ...record.progress, current: 13 } })!)).toBe(
    false,
  );
  expect(sameRow(a, toRunRow({ ...record, gpus: [0] })!)).toBe(false);
});
