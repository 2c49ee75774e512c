import { expect, test } from 'vitest';
import { elapsedLabel, niceTicks, paddedRange, thin, timeTicks } from './plot-scale.js';

test('niceTicks picks round steps inside the range', () => {
  expect(niceTicks(0.13, 0.92, 4)).toEqual([0.2, 0.4, 0.6, 0.8]);
  expect(niceTicks(0, 100, 5)).toEqual([0, 20, 40, 60, 80, 100]);
  expect(niceTicks(0.1, 0.3, 2)).toEqual([0.1, 0.2, 0.3]);
  expect(niceTicks(5, 5, 3)).toEqual([5]);
  expect(niceTicks(Number.NaN, 1, 3)).toEqual([]);
});

test('paddedRange pads 5 % and centres a constant series', () => {
  expect(paddedRange([1, 3])).toEqual([0.9, 3.1]);
  expect(paddedRange([2, 2])).toEqual([1.8, 2.2]);
  expect(paddedRange([0])).toEqual([-1, 1]);
  expect(paddedRange([])).toEqual([0, 1]);
});

test('thin keeps the first and the last point and at most the limit', () => {
  const points = Array.from({ length: 1001 }, (_, index) => index);
  const kept = thin(points, 11);
  expect(kept).toHaveLength(11);
  expect(kept[0]).toBe(0);
  expect(kept[10]).toBe(1000);
  expect(thin([1, 2, 3], 10)).toEqual([1, 2, 3]);
});

test('timeTicks steps by round times and elapsedLabel names them shortly', () => {
  expect(timeTicks(3780, 3)).toEqual([0, 1800, 3600]);
  expect(timeTicks(50, 4)).toEqual([0, 15, 30, 45]);
  expect(timeTicks(0, 3)).toEqual([0]);
  expect([0, 45, 300, 90, 3600, 5400, 86_400].map(elapsedLabel)).toEqual([
    '0',
    '45s',
    '5m',
    '1m30s',
    '1h',
    '1h30m',
    '1d',
  ]);
});
