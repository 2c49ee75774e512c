import { checkNumberOption, checkObjectOption } from './check-option.js';

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
   * Default 30 000; `Infinity` waits forever; `0` tries once (a dead or stale owner found then
   * is cleared for the next caller, not tried again): no attempt starts after the deadline.
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

/** Checked lock options, with the timings derived from `stale`. */
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

/** Checks `options` (see {@link checkLockOptions}) and derives the timings from `stale`. */
export function resolveLockOptions(options: LockOptions = {}): LockTimings {
  return checkAndResolve('options', options, '');
}

/**
 * Throws a `TypeError` unless `value` is a valid {@link LockOptions}; returns the timings derived
 * from it. For a layer that takes lock options inside its own: `name` prefixes each option's
 * name in the messages (`lock` → ``Expected `lock.stale` …``).
 *
 * @example
 * const { timeoutMs } = checkLockOptions('lock', options.lock ?? {});
 */
export function checkLockOptions(name: string, value: unknown): LockTimings {
  return checkAndResolve(name, value, `${name}.`);
}

function checkAndResolve(name: string, value: unknown, prefix: string): LockTimings {
  const options = checkObjectOption(name, value) as LockOptions;
  const { stale = LOCK_DEFAULTS.staleMs, timeout = LOCK_DEFAULTS.timeoutMs, signal } = options;
  checkNumberOption(`${prefix}stale`, stale, { min: LOCK_DEFAULTS.minStaleMs });
  checkNumberOption(`${prefix}timeout`, timeout, { min: 0, allowInfinity: true });
  if (signal !== undefined && !(signal instanceof AbortSignal)) {
    throw new TypeError(`Expected \`${prefix}signal\` to be an AbortSignal`);
  }
  // A refresh every quarter of `stale` (proper-lockfile allows 1 s .. stale/2) keeps a healthy
  // owner's record young; trust ends halfway between a refresh period and `stale`.
  const refreshMs = Math.min(Math.max(stale / 4, LOCK_DEFAULTS.minRefreshMs), stale / 2);
  const trustMs = (refreshMs + stale) / 2;
  return { staleMs: stale, timeoutMs: timeout, refreshMs, trustMs, signal };
}
