import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, test } from 'vitest';
import type { RunRecord } from '../run-folder/index.js';
import { ownershipProblem, ThrottledRecordWriter } from './record-writer.js';

const record: RunRecord = {
  schemaVersion: 1,
  id: 'a',
  status: 'running',
  attempt: 2,
  command: ['x'],
  supervisorPid: 100,
  updatedAt: new Date().toISOString(),
};

describe('ownershipProblem', () => {
  test('accepts the own running attempt', () => {
    expect(ownershipProblem(record, { attempt: 2, supervisorPid: 100 })).toBeUndefined();
    expect(
      ownershipProblem({ ...record, supervisorPid: null }, { attempt: 2, supervisorPid: 7 }),
    ).toBeUndefined();
  });

  test('refuses another attempt, another supervisor, or an ended attempt', () => {
    expect(ownershipProblem(record, { attempt: 1, supervisorPid: 100 })).toMatch(
      /attempt 2, not 1/,
    );
    expect(ownershipProblem(record, { attempt: 2, supervisorPid: 101 })).toMatch(
      /supervisor pid 100/,
    );
    expect(
      ownershipProblem({ ...record, status: 'failed' }, { attempt: 2, supervisorPid: 100 }),
    ).toMatch(/is failed/);
  });
});

describe('ThrottledRecordWriter', () => {
  test('coalesces many changes into few writes, one at a time, and writes after the last change', async () => {
    let writes = 0;
    let concurrent = 0;
    let maxConcurrent = 0;
    let state = 0;
    let written = -1;
    const writer = new ThrottledRecordWriter({
      intervalMs: 100,
      write: async () => {
        concurrent += 1;
        maxConcurrent = Math.max(maxConcurrent, concurrent);
        const value = state;
        await sleep(10);
        written = value;
        writes += 1;
        concurrent -= 1;
      },
      onError: () => {},
    });
    const started = Date.now();
    while (Date.now() - started < 500) {
      state += 1;
      writer.changed();
      await sleep(5);
    }
    await sleep(250);
    await writer.flush();
    expect(maxConcurrent).toBe(1);
    expect(writes).toBeGreaterThanOrEqual(2);
    expect(writes).toBeLessThanOrEqual(8);
    expect(written).toBe(state);
  });

  test('reports a failed write and writes again on the next change; nothing after flush', async () => {
    const errors: unknown[] = [];
    let calls = 0;
    const writer = new ThrottledRecordWriter({
      intervalMs: 0,
      write: async () => {
        calls += 1;
        if (calls === 1) throw new Error('locked');
      },
      onError: (error) => errors.push(error),
    });
    writer.changed();
    await sleep(20);
    writer.changed();
    await sleep(20);
    await writer.flush();
    writer.changed();
    await sleep(20);
    expect(calls).toBe(2);
    expect(errors).toHaveLength(1);
  });
});
