import { expect, test } from 'vitest';
import { toNotices } from './notices.js';

test('the notices event is read; junk gives none', () => {
  expect(
    toNotices({
      watchMode: 'poll',
      notices: [
        {
          code: 'RUNBOARD_DASHBOARD_POLLING',
          message: '/logs is on a shared file system (NFS) …',
          at: '2026-01-01T00:00:00Z',
        },
        { code: 'X' },
      ],
    }),
  ).toEqual({ messages: ['/logs is on a shared file system (NFS) …'] });
  expect(toNotices('junk')).toEqual({ messages: [] });
});
