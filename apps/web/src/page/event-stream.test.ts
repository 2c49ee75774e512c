import { expect, test } from 'vitest';
import { retryAfterMs } from './event-stream.js';

test('Retry-After is read as seconds or an HTTP date, bounded, and 0 when unusable', () => {
  const now = Date.parse('2026-01-01T12:00:00Z');
  expect(retryAfterMs('10', now)).toBe(10_000);
  expect(retryAfterMs('Thu, 01 Jan 2026 12:00:30 GMT', now)).toBe(30_000);
  expect(retryAfterMs('Thu, 01 Jan 2026 11:00:00 GMT', now)).toBe(0);
  expect(retryAfterMs('999999', now)).toBe(3_600_000);
  expect(retryAfterMs(null, now)).toBe(0);
  expect(retryAfterMs('soon', now)).toBe(0);
  expect(retryAfterMs('-5', now)).toBe(0);
});
