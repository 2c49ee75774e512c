import { expect, test } from 'vitest';
import { PROGRESS_SERIES, toMetricSeries } from './metrics-history.js';

test('points with metrics become one series per metric, in time order; null leaves a gap', () => {
  const series = toMetricSeries({
    points: [
      {
        time: '2026-01-01T00:00:02Z',
        attempt: 1,
        source: 'marker',
        metrics: { loss: 0.4, acc: 0.7 },
      },
      {
        time: '2026-01-01T00:00:01Z',
        attempt: 1,
        source: 'marker',
        metrics: { loss: 0.5, acc: null },
      },
      { time: '2026-01-01T00:00:03Z', attempt: 1, source: 'tqdm', current: 3, percent: 30 },
    ],
    count: 3,
  });
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

test('a job without metrics gets its progress plotted', () => {
  const series = toMetricSeries({
    points: [
      { time: '2026-01-01T00:00:01Z', source: 'tqdm', current: 1, percent: 10 },
      { time: '2026-01-01T00:00:02Z', source: 'tqdm', current: 2, percent: 20 },
    ],
  });
  expect(series).toEqual([
    {
      name: PROGRESS_SERIES,
      points: [
        { t: Date.parse('2026-01-01T00:00:01Z'), v: 10 },
        { t: Date.parse('2026-01-01T00:00:02Z'), v: 20 },
      ],
    },
  ]);
});

test('a run that never left 0 % (a failed start) gets no empty progress plot', () => {
  const points = [
    { time: '2026-01-01T00:00:01Z', source: 'marker', current: 0, total: 10, percent: 0 },
    { time: '2026-01-01T00:00:02Z', source: 'marker', current: 0, total: 10, percent: 0 },
  ];
  expect(toMetricSeries({ points })).toEqual([]);
  expect(toMetricSeries({ points: [...points, { ...points[1], percent: 10 }] })).toHaveLength(1);
});

test('points without a time and bodies that are not histories give nothing', () => {
  expect(toMetricSeries({ points: [{ metrics: { loss: 1 } }, 'junk', null] })).toEqual([]);
  expect(toMetricSeries([{ time: '2026-01-01T00:00:01Z', metrics: { loss: 1 } }])).toEqual([]);
  expect(toMetricSeries('nope')).toEqual([]);
  expect(toMetricSeries(null)).toEqual([]);
});
