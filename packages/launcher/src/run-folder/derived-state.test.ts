import { describe, expect, test } from 'vitest';
import { deriveState, displayStatus } from './derived-state.js';
import type { RunRecord } from './run-record.js';
import { isTerminalStatus } from './run-status.js';

const NOW = Date.parse('2026-11-27T12:00:00Z');
const ago = (seconds: number) => new Date(NOW - seconds * 1000).toISOString();

function record(fields: Partial<RunRecord>): RunRecord {
  return {
    schemaVersion: 1,
    id: 'a',
    status: 'running',
    attempt: 1,
    command: ['x'],
    updatedAt: ago(0),
    ...fields,
  };
}

const running = (fields: Partial<RunRecord> = {}) =>
  record({
    host: 'box',
    supervisorPid: 100,
    startedAt: ago(600),
    heartbeatAt: ago(5),
    progressChangedAt: ago(5),
    ...fields,
  });

describe('deriveState', () => {
  test('a running run with a fresh heartbeat has no derived state', () => {
    expect(deriveState(running(), { now: NOW })).toBeUndefined();
    expect(displayStatus(running(), { now: NOW })).toBe('running');
  });

  test('stalled: heartbeat older than the threshold (default 60 s)', () => {
    expect(deriveState(running({ heartbeatAt: ago(61) }), { now: NOW })).toBe('stalled');
    expect(deriveState(running({ heartbeatAt: ago(59) }), { now: NOW })).toBeUndefined();
    expect(
      deriveState(running({ heartbeatAt: ago(31) }), {
        now: NOW,
        thresholds: { stalledAfterSeconds: 30 },
      }),
    ).toBe('stalled');
  });

  test('stalled: without a heartbeat, the start (else the last update) counts', () => {
    expect(deriveState(running({ heartbeatAt: null, startedAt: ago(120) }), { now: NOW })).toBe(
      'stalled',
    );
    expect(
      deriveState(running({ heartbeatAt: null, startedAt: null, updatedAt: ago(120) }), {
        now: NOW,
      }),
    ).toBe('stalled');
  });

  test('stalled at once when the supervisor is dead on this host; unknown liveness changes nothing', () => {
    expect(deriveState(running(), { now: NOW, isProcessAlive: () => false })).toBe('stalled');
    expect(deriveState(running(), { now: NOW, isProcessAlive: () => true })).toBeUndefined();
    expect(deriveState(running(), { now: NOW, isProcessAlive: () => undefined })).toBeUndefined();
    const probed: [string, number][] = [];
    deriveState(running({ supervisorPid: null, pid: 77 }), {
      now: NOW,
      isProcessAlive: (host, pid) => (probed.push([host, pid]), true),
    });
    expect(probed).toEqual([['box', 77]]);
  });

  test('stuck: progress reported but unchanged past the threshold, heartbeat fresh', () => {
    const progress = { current: 3, total: 10 };
    expect(deriveState(running({ progress, progressChangedAt: ago(1801) }), { now: NOW })).toBe(
      'stuck',
    );
    expect(
      deriveState(running({ progress, progressChangedAt: ago(1799) }), { now: NOW }),
    ).toBeUndefined();
    expect(
      deriveState(running({ progress, progressChangedAt: ago(61) }), {
        now: NOW,
        thresholds: { stuckAfterSeconds: 60 },
      }),
    ).toBe('stuck');
    // stalled wins over stuck
    expect(
      deriveState(running({ progress, progressChangedAt: ago(4000), heartbeatAt: ago(100) }), {
        now: NOW,
      }),
    ).toBe('stalled');
  });

  test('a run that never reports progress is never stuck', () => {
    expect(
      deriveState(running({ progress: null, progressChangedAt: ago(99_999) }), { now: NOW }),
    ).toBeUndefined();
  });

  test('stalled claim: starting with a dead launcher on this host, or a claim older than the threshold', () => {
    const starting = record({
      status: 'starting',
      launcher: { host: 'box', pid: 5 },
      updatedAt: ago(2),
    });
    expect(deriveState(starting, { now: NOW })).toBeUndefined();
    expect(deriveState(starting, { now: NOW, isProcessAlive: () => false })).toBe('stalled');
    expect(deriveState({ ...starting, updatedAt: ago(61) }, { now: NOW })).toBe('stalled');
  });

  test('outdated: succeeded longer ago than the threshold, only when one is set', () => {
    const done = record({ status: 'succeeded', finishedAt: ago(3 * 86_400) });
    expect(deriveState(done, { now: NOW })).toBeUndefined();
    expect(deriveState(done, { now: NOW, thresholds: { outdatedAfterSeconds: 2 * 86_400 } })).toBe(
      'outdated',
    );
    expect(
      deriveState(done, { now: NOW, thresholds: { outdatedAfterSeconds: 4 * 86_400 } }),
    ).toBeUndefined();
    expect(displayStatus(done, { now: NOW, thresholds: { outdatedAfterSeconds: 60 } })).toBe(
      'outdated',
    );
  });

  test('finished, failed, cancelled and queued runs have no derived state', () => {
    for (const status of ['queued', 'failed', 'cancelled'] as const) {
      expect(
        deriveState(record({ status, updatedAt: ago(99_999) }), {
          now: NOW,
          isProcessAlive: () => false,
        }),
      ).toBeUndefined();
    }
  });

  test('unparsable times are ignored, not treated as the epoch', () => {
    expect(
      deriveState(running({ heartbeatAt: 'garbage', startedAt: ago(1) }), { now: NOW }),
    ).toBeUndefined();
  });

  test('terminal statuses', () => {
    expect(
      ['queued', 'starting', 'running', 'succeeded', 'failed', 'cancelled'].filter((status) =>
        isTerminalStatus(status as never),
      ),
    ).toEqual(['succeeded', 'failed', 'cancelled']);
  });
});
