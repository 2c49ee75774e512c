import { openRegularFile, readRange } from './open-regular-file.js';

/** The most bytes of `metrics.jsonl` one request reads (its end): 8 MiB. */
export const MAX_METRICS_BYTES = 8 * 1024 * 1024;
/** The most points one answer holds; longer histories are thinned evenly. */
export const MAX_METRICS_POINTS = 100_000;
/** The most points an answer holds when `limit` is not given. */
export const DEFAULT_METRICS_POINTS = 5000;

/** One line of `metrics.jsonl`: a JSON object (progress and metrics at a moment). */
export type MetricsPoint = Record<string, unknown>;

export interface MetricsHistory {
  points: MetricsPoint[];
  /** Points in the part read, before thinning. */
  count: number;
  /** Lines that were not JSON objects (a torn last line is not counted, just ignored). */
  skipped: number;
  /** Whether the file was longer than {@link MAX_METRICS_BYTES} and only its end was read. */
  truncated: boolean;
  /** Whether `points` was thinned to the `limit`. */
  thinned: boolean;
  exists: boolean;
}

export interface ReadMetricsOptions {
  /** At most this many points (1 to {@link MAX_METRICS_POINTS}); default {@link DEFAULT_METRICS_POINTS}. */
  limit?: number;
  maxBytes?: number;
}

/**
 * Reads the history of a run's progress reports from `metrics.jsonl`. A torn last line (a
 * report being appended) is ignored; a history longer than `limit` is thinned evenly, always
 * keeping the first and the last point. Refuses symbolic links and non-regular files.
 *
 * @example
 * const { points } = await readMetricsHistory('/data/logs/cdd/run_2/metrics.jsonl', { limit: 1000 });
 */
export async function readMetricsHistory(
  file: string,
  options: ReadMetricsOptions = {},
): Promise<MetricsHistory> {
  const limit = options.limit ?? DEFAULT_METRICS_POINTS;
  const maxBytes = Math.min(options.maxBytes ?? MAX_METRICS_BYTES, MAX_METRICS_BYTES);
  const opened = await openRegularFile(file);
  if (!opened)
    return { points: [], count: 0, skipped: 0, truncated: false, thinned: false, exists: false };
  let text: string;
  const start = Math.max(0, opened.size - maxBytes);
  try {
    text = (await readRange(opened.handle, start, opened.size - start)).toString('utf8');
  } finally {
    await opened.handle.close();
  }
  const lines = text.split('\n');
  // When only the end was read, its first line is a fragment.
  if (start > 0) lines.shift();
  const last = lines.pop() ?? '';
  const points: MetricsPoint[] = [];
  let skipped = 0;
  for (const line of lines) {
    const point = parsePoint(line);
    if (point) points.push(point);
    else if (line.trim() !== '') skipped += 1;
  }
  // An unterminated last line counts only when it is a whole object: a prefix of a JSON
  // object never parses as an object, so a torn line is told apart from one missing only '\n'.
  const lastPoint = parsePoint(last);
  if (lastPoint) points.push(lastPoint);
  const count = points.length;
  const thinned = count > limit;
  return {
    points: thinned ? thin(points, limit) : points,
    count,
    skipped,
    truncated: start > 0,
    thinned,
    exists: true,
  };
}

function parsePoint(line: string): MetricsPoint | undefined {
  if (line.trim() === '') return undefined;
  try {
    const value: unknown = JSON.parse(line);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as MetricsPoint)
      : undefined;
  } catch {
    return undefined;
  }
}

function thin<T>(items: readonly T[], limit: number): T[] {
  if (limit === 1) return [items[items.length - 1]];
  const step = (items.length - 1) / (limit - 1);
  return Array.from({ length: limit }, (_, i) => items[Math.round(i * step)]);
}
