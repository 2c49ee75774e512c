/** Options of {@link acquireLock}, {@link withLock} and (via `lock`) `updateJson`. */
export interface LockOptions {
  /**
   * Milliseconds after the owner's last refresh at which a lock counts as abandoned and may be
   * taken over. Default 10 000; at least 2 000 (proper-lockfile's minimum). Every process that
   * locks a file should use the same value.
   */
  stale?: number;
  /**
   * Milliseconds to wait for the lock before rejecting with `LockTimeoutError` (`ELOCKED`).
   * Default 30 000; `0` tries once; `Infinity` waits forever.
   */
  timeout?: number;
  /** Aborts the wait with `LockAbortError`. It does not affect a lock already acquired. */
  signal?: AbortSignal;
}

export const LOCK_DEFAULTS = {
  staleMs: 10_000,
  timeoutMs: 30_000,
  minStaleMs: 2_000,
  minRefreshMs: 1_000,
} as const;

/** Validated options with the timings derived from `stale`. */
export interface LockTimings {
  staleMs: number;
  timeoutMs: number;
  /** How often the owner refreshes its record (proper-lockfile's `update`). */
  refreshMs: number;
  /**
   * Past this age of the last refresh the owner stops trusting its lock, comfortably before
   * others may take it over at `staleMs`; the gap is the time a final commit may take.
   */
  trustMs: number;
  signal: AbortSignal | undefined;
}

export function resolveLockOptions(options: LockOptions = {}): LockTimings {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError('Expected `options` to be an object');
  }
  const { stale = LOCK_DEFAULTS.staleMs, timeout = LOCK_DEFAULTS.timeoutMs, signal } = options;
  if (!Number.isFinite(stale) || stale < LOCK_DEFAULTS.minStaleMs) {
    throw new TypeError(
      `Expected \`stale\` to be a finite number of milliseconds >= ${LOCK_DEFAULTS.minStaleMs}`,
    );
  }
  if (typeof timeout !== 'number' || Number.isNaN(timeout) || timeout < 0) {
    throw new TypeError(
      'Expected `timeout` to be a non-negative number of milliseconds (or Infinity)',
    );
  }
  if (signal !== undefined && !(signal instanceof AbortSignal)) {
    throw new TypeError('Expected `signal` to be an AbortSignal');
  }
  // A refresh every quarter of `stale` (proper-lockfile allows 1 s .. stale/2) keeps a healthy
  // owner's record young; trust ends halfway between a refresh period and `stale`.
  const refreshMs = Math.min(Math.max(stale / 4, LOCK_DEFAULTS.minRefreshMs), stale / 2);
  const trustMs = (refreshMs + stale) / 2;
  return { staleMs: stale, timeoutMs: timeout, refreshMs, trustMs, signal };
}
