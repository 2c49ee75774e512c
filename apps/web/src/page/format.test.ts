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

/** One test per case: `format(value)` reads `text`. */
function expectFormats<T>(format: (value: T) => string, cases: [T, string][]): void {
  test.each(cases)('%o → %s', (value, text) => {
    expect(format(value)).toBe(text);
  });
}

describe('formatDuration', () => {
  expectFormats(formatDuration, [
    [0, '0s'],
    [42.4, '42s'],
    [185, '3m 05s'],
    [3725, '1h 02m'],
    [3 * 86_400 + 4 * 3600 + 59, '3d 4h'],
    [-5, '0s'],
    [Number.NaN, '—'],
  ]);
});

describe('formatAge', () => {
  const now = Date.parse('2026-01-01T12:00:00Z');
  expectFormats(
    (time: number | null) => formatAge(time, now),
    [
      [now, 'now'],
      [now - 12_000, '12s ago'],
      [now - 5 * 60_000 - 59_000, '5m ago'],
      [now - 3 * 3_600_000, '3h ago'],
      [now - 2 * 86_400_000, '2d ago'],
      [now + 10_000, 'now'],
      [null, '—'],
    ],
  );
});

describe('formatPercent keeps one decimal below 10 % and clamps', () => {
  expectFormats(formatPercent, [
    [3.46, '3.5%'],
    [42.9, '42%'],
    [0, '0%'],
    [120, '100%'],
    [null, '—'],
  ]);
});

describe('formatBytesOf shows used and total in the unit of the total', () => {
  const MIB = 1024 * 1024;
  expectFormats(
    ([used, total]: [number | null, number | null]) => formatBytesOf(used, total),
    [
      [[118_446 * MIB, 143_771 * MIB], '115.7 / 140.4 GiB'],
      [[0, 143_771 * MIB], '0.0 / 140.4 GiB'],
      [[null, 512], '— / 512 B'],
      [[3 * MIB, null], '3.0 MiB'],
    ],
  );
});

describe('formatBytes uses binary units', () => {
  expectFormats(formatBytes, [
    [512, '512 B'],
    [1536, '1.5 KiB'],
    [80 * 1024 ** 3, '80.0 GiB'],
    [null, '—'],
  ]);
});

describe('formatNumber shows about four significant digits', () => {
  expectFormats(formatNumber, [
    [0.123456, '0.1235'],
    [12.3456, '12.35'],
    [0.0000123, '1.2e-5'],
    [123456.7, '123,457'],
    [0, '0'],
    [null, '—'],
  ]);
});

describe('formatWaiting', () => {
  expectFormats(formatWaiting, [
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
  ]);
});
