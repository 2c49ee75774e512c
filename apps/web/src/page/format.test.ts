import { describe, expect, test } from 'vitest';
import {
  formatAge,
  formatBytes,
  formatBytesOf,
  formatDuration,
  formatNumber,
  formatPercent,
  formatWaiting,
} from './format.js';

describe('formatDuration', () => {
  test.each([
    [0, '0s'],
    [42.4, '42s'],
    [185, '3m 05s'],
    [3725, '1h 02m'],
    [3 * 86_400 + 4 * 3600 + 59, '3d 4h'],
    [-5, '0s'],
    [Number.NaN, '—'],
  ])('%s s → %s', (seconds, text) => {
    expect(formatDuration(seconds)).toBe(text);
  });
});

describe('formatAge', () => {
  const now = Date.parse('2026-01-01T12:00:00Z');
  test.each([
    [now, 'now'],
    [now - 12_000, '12s ago'],
    [now - 5 * 60_000 - 59_000, '5m ago'],
    [now - 3 * 3_600_000, '3h ago'],
    [now - 2 * 86_400_000, '2d ago'],
    [now + 10_000, 'now'],
    [null, '—'],
  ])('%s → %s', (time, text) => {
    expect(formatAge(time, now)).toBe(text);
  });
});

test('formatPercent keeps one decimal below 10 % and clamps', () => {
  expect(formatPercent(3.46)).toBe('3.5%');
  expect(formatPercent(42.9)).toBe('42%');
  expect(formatPercent(0)).toBe('0%');
  expect(formatPercent(120)).toBe('100%');
  expect(formatPercent(null)).toBe('—');
});

test('formatBytesOf shows used and total in the unit of the total', () => {
  const MIB = 1024 * 1024;
  expect(formatBytesOf(118_446 * MIB, 143_771 * MIB)).toBe('115.7 / 140.4 GiB');
  expect(formatBytesOf(0, 143_771 * MIB)).toBe('0.0 / 140.4 GiB');
  expect(formatBytesOf(null, 512)).toBe('— / 512 B');
  expect(formatBytesOf(3 * MIB, null)).toBe('3.0 MiB');
});

test('formatBytes uses binary units', () => {
  expect(formatBytes(512)).toBe('512 B');
  expect(formatBytes(1536)).toBe('1.5 KiB');
  expect(formatBytes(80 * 1024 ** 3)).toBe('80.0 GiB');
  expect(formatBytes(null)).toBe('—');
});

test('formatNumber shows about four significant digits', () => {
  expect(formatNumber(0.123456)).toBe('0.1235');
  expect(formatNumber(12.3456)).toBe('12.35');
  expect(formatNumber(0.0000123)).toBe('1.2e-5');
  expect(formatNumber(123456.7)).toBe('123,457');
  expect(formatNumber(0)).toBe('0');
  expect(formatNumber(null)).toBe('—');
});

describe('formatWaiting', () => {
  test.each([
    [{ reason: 'slot' }, 'waiting for a slot'],
    [{ reason: 'dependency', detail: 'prep/data' }, 'waiting for dependency prep/data'],
    [{ reason: 'dependency', detail: null }, 'waiting for a dependency'],
    // Local time, as the page and the terminal show clocks.
    [{ reason: 'retry-delay', until: '2026-01-01T14:02:10' }, 'retry at 14:02:10'],
    [{ reason: 'retry-delay', until: 'soon' }, 'waiting to retry'],
    [{ reason: 'gpu-policy', detail: 'GPU 0 is 93% busy' }, 'GPU policy: GPU 0 is 93% busy'],
    [{ reason: 'gpu-slot' }, 'waiting for a free GPU'],
    [{ reason: 'slurm', detail: 'Priority' }, 'Slurm: Priority'],
    [{ reason: 'no-launcher' }, 'no launcher is running'],
    [{ reason: 'maintenance', detail: 'until Monday' }, 'maintenance: until Monday'],
  ])('%o → %s', (waiting, text) => {
    expect(formatWaiting(waiting)).toBe(text);
  });
});
