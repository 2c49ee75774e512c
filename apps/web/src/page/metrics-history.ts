import { isObject } from './run-row.js';

/** One metric over time, points in time order. */
export interface MetricSeries {
  name: string;
  points: { t: number; v: number }[];
}

const PROGRESS_KEYS = new Set([
  'current',
  'total',
  'percent',
  'etaSeconds',
  'eta',
  'unit',
  'message',
  'attempt',
]);
const TIME_KEYS = ['at', 'time', 'timestamp', 'updatedAt', 't', 'ts'] as const;

/**
 * Turns the body of `GET /api/runs/<id>/metrics` (an array of `metrics.jsonl` entries, or an
 * object holding one) into one series per metric. Each entry needs a time (`at`, `time`,
 * `timestamp`…) and numbers, either in `metrics` or at its top level; `null` values (NaN in
 * the job) leave a gap, and entries without a time are skipped. A history with no metrics at
 * all gives one `progress %` series from the entries' `percent`.
 *
 * @example
 * toMetricSeries([{ at: '2026-01-01T00:00:00Z', metrics: { loss: 0.5 } }]);
 * // [{ name: 'loss', points: [{ t: 1767225600000, v: 0.5 }] }]
 */
export function toMetricSeries(body: unknown): MetricSeries[] {
  const entries = entriesOf(body);
  const series = new Map<string, MetricSeries>();
  for (const entry of entries) {
    if (!isObject(entry)) continue;
    const t = timeOf(entry);
    if (t === null) continue;
    const values = isObject(entry['metrics']) ? entry['metrics'] : topLevelNumbers(entry);
    for (const [name, value] of Object.entries(values)) {
      if (typeof value !== 'number' || !Number.isFinite(value)) continue;
      let one = series.get(name);
      if (!one) {
        one = { name, points: [] };
        series.set(name, one);
      }
      one.points.push({ t, v: value });
    }
  }
  if (series.size === 0) {
    // A job that reports no metrics (a bare tqdm bar) still has a history: its progress.
    const progress: MetricSeries = { name: 'progress %', points: [] };
    for (const entry of entries) {
      if (!isObject(entry)) continue;
      const t = timeOf(entry);
      const percent = entry['percent'];
      if (t !== null && typeof percent === 'number' && Number.isFinite(percent))
        progress.points.push({ t, v: percent });
    }
    if (progress.points.length > 0) series.set(progress.name, progress);
  }
  for (const one of series.values()) one.points.sort((a, b) => a.t - b.t);
  return [...series.values()];
}

function entriesOf(body: unknown): unknown[] {
  if (Array.isArray(body)) return body;
  if (isObject(body)) {
    for (const key of ['entries', 'history', 'points', 'metrics', 'items', 'lines']) {
      const value = body[key];
      if (Array.isArray(value)) return value;
    }
  }
  return [];
}

function timeOf(entry: Record<string, unknown>): number | null {
  for (const key of TIME_KEYS) {
    const value = entry[key];
    if (typeof value === 'number' && Number.isFinite(value)) {
      // Seconds since the epoch (Python's time.time()) or milliseconds.
      return value < 1e11 ? value * 1000 : value;
    }
    if (typeof value === 'string') {
      const parsed = Date.parse(value);
      if (!Number.isNaN(parsed)) return parsed;
    }
  }
  return null;
}

function topLevelNumbers(entry: Record<string, unknown>): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(entry)) {
    if (!PROGRESS_KEYS.has(key) && !(TIME_KEYS as readonly string[]).includes(key)) {
      values[key] = value;
    }
  }
  return values;
}
