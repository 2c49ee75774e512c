import { expect, test } from 'vitest';
import { toMetricSeries } from './metrics-history.js';

test('entries with a metrics object become one series per metric, in time order', () => {
  const series = toMetricSeries([
    { at: '2026-01-01T00:00:02Z', current: 2, metrics: { loss: 0.4, acc: 0.7 } },
    { at: '2026-01-01T00:00:01Z', current: 1, metrics: { loss: 0.5, acc: null } },
  ]);
  expect(series).toEqual([
    {
      name: 'loss',
      points: [
        { t: Date.parse('2026-01-01T00:00:01Z'), v: 0.5 },
        { t: Date.parse('2026-01-01T00:00:02Z'), v: 0.4 },
      ],
    },
    { name: 'acc', points: [{ t: Date.parse('2026-01-01T00:00:02Z'), v: 0.7 }] },
  ]);
});

test('flat entries, epoch-second times and a wrapping object are understood', () => {
  const series = toMetricSeries({
    entries: [{ time: 1_767_225_600, current: 3, total: 10, loss: 1.5 }],
  });
  expect(series).toEqual([{ name: 'loss', points: [{ t: 1_767_225_600_000, v: 1.5 }] }]);
});

test('entries without a time and bodies that are not lists give nothing', () => {
  expect(toMetricSeries([{ metrics: { loss: 1 } }, 'junk', null])).toEqual([]);
  expect(toMetricSeries('nope')).toEqual([]);
  expect(toMetricSeries(null)).toEqual([]);
});
