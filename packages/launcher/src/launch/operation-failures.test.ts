import { describe, expect, it } from 'vitest';
import type { LaunchEvent } from './launch-events.js';
import { FailureLog } from './operation-failures.js';

const enospc = (file: string) =>
  Object.assign(new Error(`ENOSPC writing ${file}`), { systemCode: 'ENOSPC', file });

describe('FailureLog', () => {
  it('warns once per run and condition, and says when it cleared after how many failures', () => {
    const events: LaunchEvent[] = [];
    const log = new FailureLog((event) => events.push(event));
    for (let i = 0; i < 50; i++) expect(log.failed('a', enospc('/r/a/progress.json'))).toBe(i + 1);
    log.failed('b', enospc('/r/b/progress.json'));
    expect(events).toEqual([
      {
        type: 'warning',
        runId: 'a',
        message: 'ENOSPC writing /r/a/progress.json',
        code: 'ENOSPC',
        file: '/r/a/progress.json',
      },
      expect.objectContaining({ runId: 'b', code: 'ENOSPC' }),
    ]);
    log.succeeded('a');
    log.succeeded('a');
    expect(events.slice(2)).toEqual([
      {
        type: 'warning',
        runId: 'a',
        message: 'cleared after 50 failures: ENOSPC writing /r/a/progress.json',
        code: 'ENOSPC',
        file: '/r/a/progress.json',
        failures: 50,
        cleared: true,
      },
    ]);
  });

  it('another condition on the same run clears the first and warns anew', () => {
    const events: LaunchEvent[] = [];
    const log = new FailureLog((event) => events.push(event));
    log.failed('a', enospc('/r/a/progress.json'));
    log.failed(
      'a',
      Object.assign(new Error('locked'), { code: 'ELOCKED', file: '/r/a/progress.json' }),
    );
    expect(
      events.map((event) => [
        event.type === 'warning' && event.cleared,
        event.type === 'warning' && event.code,
      ]),
    ).toEqual([
      [undefined, 'ENOSPC'],
      [true, 'ENOSPC'],
      [undefined, 'ELOCKED'],
    ]);
  });

  it('backs off after failures in a row, up to 5 s', () => {
    expect([1, 2, 3, 10, 100].map((n) => FailureLog.retryDelayMs(n))).toEqual([
      100, 200, 400, 5000, 5000,
    ]);
  });
});
