/** Options of {@link backoffDelay}. */
export interface BackoffOptions {
  /** The first delay, in milliseconds. */
  firstMs: number;
  /** The longest delay, in milliseconds. */
  maxMs: number;
  /** How much each delay grows over the previous one. Default 2. */
  factor?: number;
  /**
   * Spread each delay uniformly over the upper half of its step (never below `firstMs`), so that
   * many waiters drift apart instead of retrying in step, also once they reach `maxMs`.
   * Default false.
   */
  jitter?: boolean;
}

/**
 * The delay before retry number `attempt` (0 for the first retry) of an exponential backoff:
 * `firstMs × factor^attempt`, at most `maxMs`. runboard's one backoff formula, the one p-retry
 * uses (p-retry randomizes ×1–2 before capping, this halves the step after capping, so that
 * delays at the cap stay spread); for loops that p-retry cannot run: synchronous ones, or
 * waits with their own queue, deadline and abort.
 *
 * @example
 * for (let attempt = 0; !tryOnce(); attempt++) {
 *   await sleep(backoffDelay(attempt, { firstMs: 5, maxMs: 100, jitter: true })); // 5, 5–10, 10–20 … 50–100 ms
 * }
 */
export function backoffDelay(attempt: number, options: BackoffOptions): number {
  const { firstMs, maxMs, factor = 2, jitter = false } = options;
  const step = Math.min(maxMs, firstMs * factor ** attempt);
  return jitter ? Math.max(firstMs, step / 2 + (Math.random() * step) / 2) : step;
}
