import { describe, expect, it } from 'vitest';
import { backoffDelay } from './backoff-delay.js';

describe('backoffDelay', () => {
  it('grows by `factor` from `firstMs` up to `maxMs`', () => {
    const delays = Array.from({ length: 8 }, (_, attempt) =>
      backoffDelay(attempt, { firstMs: 5, maxMs: 100 }),
    );
    expect(delays).toEqual([5, 10, 20, 40, 80, 100, 100, 100]);
    expect(backoffDelay(2, { firstMs: 1, maxMs: 1_000, factor: 3 })).toBe(9);
  });

  it('with `jitter`, spreads each delay over the upper half of its step, also at the cap', () => {
    for (let attempt = 0; attempt < 10; attempt++) {
      const step = Math.min(100, 5 * 2 ** attempt);
      const delays = Array.from({ length: 200 }, () =>
        backoffDelay(attempt, { firstMs: 5, maxMs: 100, jitter: true }),
      );
      expect(Math.min(...delays)).toBeGreaterThanOrEqual(Math.max(5, step / 2));
      expect(Math.max(...delays)).toBeLessThanOrEqual(step);
      if (step >= 20) expect(new Set(delays).size).toBeGreaterThan(100);
    }
  });
});
