/**
 * The value at `fraction` (0.5: the median) of `values`, nearest rank; `NaN` when empty.
 *
 * @example
 * percentile([30, 10, 20], 0.5); // 20
 */
export function percentile(values: readonly number[], fraction: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))] ?? NaN;
}
