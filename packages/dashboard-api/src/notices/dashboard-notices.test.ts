import { describe, expect, test } from 'vitest';
import { DASHBOARD_ERROR_CODES, DashboardWarning } from '../errors.js';
import { DashboardNotices } from './dashboard-notices.js';

describe('DashboardNotices', () => {
  test('keeps warnings about the dashboard, each message once, and tells listeners', () => {
    const notices = new DashboardNotices();
    const seen: number[] = [];
    const stop = notices.subscribe((list) => seen.push(list.length));
    const polling = new DashboardWarning(DASHBOARD_ERROR_CODES.polling, '/r is on NFS: polling');
    expect(notices.add(polling, Date.UTC(2026, 0, 1))).toBe(true);
    expect(notices.add(polling)).toBe(false);
    expect(notices.add(new DashboardWarning(DASHBOARD_ERROR_CODES.scanError, 'x'))).toBe(false);
    stop();
    notices.add(new DashboardWarning(DASHBOARD_ERROR_CODES.polling, 'out of watches'));
    expect(seen).toEqual([1]);
    expect(notices.list()).toEqual([
      {
        code: 'RUNBOARD_DASHBOARD_POLLING',
        message: '/r is on NFS: polling',
        at: '2026-01-01T00:00:00.000Z',
      },
      { code: 'RUNBOARD_DASHBOARD_POLLING', message: 'out of watches', at: expect.any(String) },
    ]);
  });
});
