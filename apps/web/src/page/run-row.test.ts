import { expect, test } from 'vitest';
import { remainingSeconds, sameRow, toRunRow } from './run-row.js';

const record = {
  schemaVersion: 1,
  pid: 4242,
  startedAt: '2026-01-01T11:00:00.000Z',
  exitCode: null,
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
    pid: 4242,
    startedAtMs: Date.parse('2026-01-01T11:00:00.000Z'),
    finishedAtMs: null,
    command: ['python', 'train.py'],
    exitCode: null,
    signal: null,
    message: 'warming up',
    error: null,
    metrics: { loss: 0.5, acc: null },
  });
});

/** A run view as the API sends it for `record`. */
function view(fields: Record<string, unknown>, percent: number | null) {
  const merged: Record<string, unknown> = { ...record, ...fields };
  return {
    id: merged.id,
    status: merged.status,
    storedStatus: merged.status,
    derivedState: null,
    percent,
    etaSeconds: (merged.progress as { etaSeconds?: number } | null)?.etaSeconds ?? null,
    updatedAt: merged.updatedAt,
    readError: null,
    record: merged,
  };
}

test('percent is the one of the view (the server computes it), clamped; none stays none', () => {
  expect(toRunRow(view({}, 25))?.percent).toBe(25);
  expect(toRunRow(view({ status: 'succeeded', progress: null }, 100))?.percent).toBe(100);
  expect(toRunRow(view({ progress: { current: 3 } }, null))?.percent).toBeNull();
  expect(toRunRow(view({}, 140))?.percent).toBe(100);
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
    attempt: null,
    command: null,
    gpus: [],
  });
});

test('anything without an id is rejected', () => {
  expect(toRunRow(null)).toBeUndefined();
  expect(toRunRow({ status: 'running' })).toBeUndefined();
  expect(toRunRow({ id: '' })).toBeUndefined();
  expect(toRunRow([view({}, 25)])).toBeUndefined();
});

test('remainingSeconds counts the ETA down from the last update, never below zero', () => {
  const row = toRunRow(view({}, 25))!;
  const updated = Date.parse(record.updatedAt);
  expect(remainingSeconds(row, updated)).toBe(600);
  expect(remainingSeconds(row, updated + 100_000)).toBe(500);
  expect(remainingSeconds(row, updated + 10_000_000)).toBe(0);
  expect(remainingSeconds(toRunRow(view({ progress: null }, null))!, updated)).toBeNull();
});

test('sameRow tells a re-sent record from a changed one', () => {
  const a = toRunRow(view({}, 25))!;
  expect(sameRow(a, toRunRow(view({}, 25))!)).toBe(true);
  expect(sameRow(a, toRunRow(view({ progress: { ...record.progress, current: 13 } }, 27))!)).toBe(
    false,
  );
  expect(sameRow(a, toRunRow(view({ gpus: [0] }, 25))!)).toBe(false);
});

test("a failed run keeps its error in plain words and its output's last lines", () => {
  const row = toRunRow({
    id: 'a',
    status: 'failed',
    record: {
      ...record,
      status: 'failed',
      exitCode: 127,
      error: 'exited with code 127 (command not found)',
      errorTail: ['sh: 1: trian.py: not found', 42],
    },
  })!;
  expect(row.error).toBe('exited with code 127 (command not found)');
  expect(row.errorTail).toEqual(['sh: 1: trian.py: not found']);
  expect(toRunRow({ id: 'b', status: 'failed', record: { ...record } })!.errorTail).toEqual([]);
});

test("a queued run's reason to wait: the API's, else the record's; none once it runs", () => {
  const queued = { ...record, status: 'queued', waiting: { reason: 'dependency', detail: 'prep' } };
  // An API that derives the reason (no launcher is running) wins over the stored one.
  expect(
    toRunRow({ id: 'a', status: 'queued', waiting: { reason: 'no-launcher' }, record: queued })!
      .waiting,
  ).toEqual({ reason: 'no-launcher', detail: null, until: null });
  // An API without the field: the record's own.
  expect(toRunRow({ id: 'a', status: 'queued', record: queued })!.waiting).toEqual({
    reason: 'dependency',
    detail: 'prep',
    until: null,
  });
  expect(
    toRunRow({ id: 'a', status: 'queued', waiting: null, record: queued })!.waiting,
  ).toBeNull();
  expect(toRunRow({ id: 'a', status: 'running', record: queued })!.waiting).toBeNull();
  const waitingFor = (detail: string) =>
    toRunRow({
      id: 'a',
      status: 'queued',
      record: { ...queued, waiting: { reason: 'dependency', detail } },
    })!;
  expect(sameRow(waitingFor('prep'), waitingFor('prep'))).toBe(true);
  expect(sameRow(waitingFor('prep'), waitingFor('data'))).toBe(false);
});
