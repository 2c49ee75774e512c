import { num, time, wire } from './api-types.js';
import type { ApiMetricsHistory, ApiMetricsPoint } from './api-types.js';

/** One metric over time, points in time order. */
export interface MetricSeries {
  name: string;
  points: { t: number; v: number }[];
}

/** The series of a job that reports no metrics, only progress. */
export const PROGRESS_SERIES = 'progress %';

/**
 * Turns the body of `GET /api/runs/<id>/metrics` (`{ points }`, the lines of `metrics.jsonl`)
 * into one series per metric. Each point has its ISO `time` and, when the job reported them,
 * `metrics`; a `null` value (NaN in the job) leaves a gap, and points without a valid time are
 * skipped. A history with no metrics at all gives one `progress %` series from the points'
 * `percent`, so a job with a bare tqdm bar still gets a plot, unless it never left 0 %.
 *
 * @example
 * toMetricSeries({ points: [{ time: '2026-01-01T00:00:00Z', metrics: { loss: 0.5 } }] });
 * // [{ name: 'loss', points: [{ t: 1767225600000, v: 0.5 }] }]
 */
export function toMetricSeries(body: unknown): MetricSeries[] {
  const list = wire<ApiMetricsHistory>(body).points;
  const points = (Array.isArray(list) ? list : []).map((point) => wire<ApiMetricsPoint>(point));
  const series = new Map<string, MetricSeries>();
  const add = (name: string, t: number, value: unknown): void => {
    const v = num(value);
    if (v === null) return;
    let one = series.get(name);
    if (!one) {
      one = { name, points: [] };
      series.set(name, one);
    }
    one.points.push({ t, v });
  };
  for (const point of points) {
    const t = time(point.time);
    const metrics = point.metrics;
    if (t === null || typeof metrics !== 'object' || metrics === null) continue;
    for (const [name, value] of Object.entries(metrics)) add(name, t, value);
  }
  if (series.size === 0) {
    for (const point of points) {
      const t = time(point.time);
      if (t !== null) add(PROGRESS_SERIES, t, point.percent);
    }
    // A run that never got past 0 % (a failed start) has nothing to plot.
    if (series.get(PROGRESS_SERIES)?.points.every((point) => point.v === 0)) series.clear();
  }
  for (const one of series.values()) one.points.sort((a, b) => a.t - b.t);
  return [...series.values()];
}
