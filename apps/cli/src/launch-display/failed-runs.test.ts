import { expect, test } from 'vitest';
import type { RunRecord } from '@runboard/launcher';
import { formatFailedRuns } from './failed-runs.js';

const record = (fields: Partial<RunRecord>): RunRecord => ({
  schemaVersion: 1,
  id: 'x',
  status: 'failed',
  attempt: 2,
  command: ['x'],
  updatedAt: new Date(0).toISOString(),
  ...fields,
});

test('names each failed run with why, the last lines of its output, and where to see more', () => {
  const text = formatFailedRuns(
    [
      {
        id: 'sweep/lr=1',
        attempt: 2,
        error: 'exited with code 1',
        record: record({
          error: 'exited with code 127 (command not found)',
          errorTail: ['line 1', 'line 2', 'line 3', 'line 4', 'sh: 1: pyhton: not found\x07', ''],
        }),
      },
      { id: 'report', attempt: 0, error: 'not started: sweep/lr=1 failed', record: null },
    ],
    { root: '/data/logs' },
  );
  expect(text).toBe(
    [
      'failed (2):',
      '  sweep/lr=1 (attempt 2): exited with code 127 (command not found)',
      '      line 1',
      '      line 2',
      '      line 3',
      '      line 4',
      '      sh: 1: pyhton: not found',
      '  report: not started: sweep/lr=1 failed',
      'the whole output: runboard logs sweep/lr=1 --root /data/logs; all of them: runboard status --status failed --root /data/logs -v',
      '',
    ].join('\n'),
  );
  expect(formatFailedRuns([], { root: 'logs' })).toBe('');
});
