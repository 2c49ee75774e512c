import { describe, expect, test } from 'vitest';
import { parseRunRecord, runRecordSchema } from './run-record.js';

const example = {
  schemaVersion: 1,
  id: 'benchmarks/change_detection/cdd/Changer-s50_run_2',
  status: 'running',
  attempt: 1,
  command: ['python', 'train.py', '--config', 'x.py'],
  launcher: { host: 'gpu-box-1', pid: 4242 },
  host: 'gpu-box-1',
  supervisorPid: 12300,
  pid: 12345,
  gpus: [0],
  queuedAt: '2026-11-27T10:00:00.000Z',
  startedAt: '2026-11-27T10:00:01.000Z',
  heartbeatAt: '2026-11-27T10:05:00.000Z',
  finishedAt: null,
  updatedAt: '2026-11-27T10:05:00.000Z',
  exitCode: null,
  signal: null,
  error: null,
  progress: {
    current: 12,
    total: 100,
    unit: 'epoch',
    percent: 12,
    etaSeconds: 3400,
    message: null,
  },
  metrics: { loss: 0.12, val_iou: 0.81, diverged: null },
};

describe('run record schema', () => {
  test('accepts the record of the design brief', () => {
    expect(parseRunRecord(example)).toEqual(example);
  });

  test('keeps fields it does not know (newer writers, older readers)', () => {
    expect(parseRunRecord({ ...example, addedLater: { x: 1 } })).toMatchObject({
      addedLater: { x: 1 },
    });
  });

  test('a minimal queued record and a string command', () => {
    expect(
      runRecordSchema.safeParse({
        schemaVersion: 1,
        id: 'a',
        status: 'queued',
        attempt: 0,
        command: 'echo hi',
        updatedAt: '2026-11-27T10:00:00+02:00',
      }).success,
    ).toBe(true);
  });

  test.each([
    ['another schema version', { schemaVersion: 2 }],
    ['an unknown status', { status: 'paused' }],
    ['a negative attempt', { attempt: -1 }],
    ['an empty command', { command: [] }],
    ['a time that is not ISO 8601', { updatedAt: 'yesterday' }],
    ['a percent above 100', { progress: { current: 1, percent: 101 } }],
    ['a metric that is not a number', { metrics: { loss: 'low' } }],
    ['a GPU id that is negative', { gpus: [-1] }],
  ])('refuses %s', (_, change) => {
    expect(runRecordSchema.safeParse({ ...example, ...change }).success).toBe(false);
  });
});
