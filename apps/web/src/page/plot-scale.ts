/** Axis arithmetic for the metric plots. Pure functions. */

/**
 * About `count` round tick values covering [min, max] (steps of 1, 2 or 5 × 10^k).
 *
 * @example
 * niceTicks(0.13, 0.92, 4); // [0.2, 0.4, 0.6, 0.8]
 */
export function niceTicks(min: number, max: number, count: number): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max) || count < 1) return [];
  if (min === max) return [min];
  const [low, high] = min < max ? [min, max] : [max, min];
  const step = niceStep((high - low) / count);
  const ticks: number[] = [];
  for (let value = Math.ceil(low / step) * step; value <= high + step * 1e-9; value += step) {
    // Rounding keeps 0.30000000000000004 out of the labels.
    ticks.push(Number(value.toPrecision(12)));
  }
  return ticks;
}

function niceStep(rough: number): number {
  const power = 10 ** Math.floor(Math.log10(rough));
  const fraction = rough / power;
  // Round to the nearest of 1, 2, 5, 10 on a log scale (the thresholds are their geometric means).
  const nice =
    fraction < Math.SQRT2 ? 1 : fraction < Math.sqrt(10) ? 2 : fraction < Math.sqrt(50) ? 5 : 10;
  return nice * power;
}

/**
 * The value range a plot shows: the data's range padded by 5 % on each side, or ±1 around a
 * constant series (so a flat line sits in the middle).
 *
 * @example
 * paddedRange([1, 3]); // [0.9, 3.1]
 */
export function paddedRange(values: readonly number[]): [number, number] {
  let min = Infinity;
  let max = -Infinity;
  for (const value of values) {
    if (value < min) min = value;
    if (value > max) max = value;
  }
  if (!Number.isFinite(min)) return [0, 1];
  if (min === max) {
    const pad = Math.abs(min) > 0 ? Math.abs(min) * 0.1 : 1;
    return [min - pad, max + pad];
  }
  const pad = (max - min) * 0.05;
  return [min - pad, max + pad];
}

/**
 * Keeps at most `limit` points, evenly spaced, always keeping the first and the last: a plot
 * a few hundred pixels wide gains nothing from more.
 */
export function thin<T>(points: readonly T[], limit: number): T[] {
  if (points.length <= limit || limit < 2) return [...points];
  const step = (points.length - 1) / (limit - 1);
  const kept: T[] = [];
  for (let index = 0; index < limit; index += 1) kept.push(points[Math.round(index * step)]);
  return kept;
}

const TIME_STEPS = [
  1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10_800, 21_600, 43_200, 86_400,
];

/**
 * About `count` ticks over `[0, seconds]` at round time steps (1 s … 5 min … 1 h … 1 day).
 *
 * @example
 * timeTicks(3780, 3); // [0, 1800, 3600]
 */
export function timeTicks(seconds: number, count: number): number[] {
  if (!Number.isFinite(seconds) || seconds <= 0 || count < 1) return [0];
  const rough = seconds / count;
  const step =
    TIME_STEPS.find((candidate) => candidate >= rough) ?? Math.ceil(rough / 86_400) * 86_400;
  const ticks: number[] = [];
  for (let value = 0; value <= seconds; value += step) ticks.push(value);
  return ticks;
}

/**
 * An elapsed time as a short axis label: `0`, `45s`, `5m`, `1h`, `1h30m`, `2d`.
 *
 * @example
 * elapsedLabel(5400); // '1h30m'
 */
export function elapsedLabel(seconds: number): string {
  if (seconds === 0) return '0';
  if (seconds % 86_400 === 0) return `${seconds / 86_400}d`;
  if (seconds >= 3600) {
    const minutes = Math.round((seconds % 3600) / 60);
    return minutes === 0
      ? `${Math.floor(seconds / 3600)}h`
      : `${Math.floor(seconds / 3600)}h${minutes}m`;
  }
  if (seconds >= 60 && seconds % 60 === 0) return `${seconds / 60}m`;
  if (seconds >= 60) return `${Math.floor(seconds / 60)}m${seconds % 60}s`;
  return `${seconds}s`;
}
