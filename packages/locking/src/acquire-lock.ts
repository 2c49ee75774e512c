import { LockAbortError } from './errors.js';
import { clearAbandonedLock, inspectLock, sweepStagingDirs } from './inspect-lock.js';
import type { LockOptions } from './lock-options.js';
import { resolveLockOptions } from './lock-options.js';
import { lockDirFor, resolveLockTarget } from './lock-paths.js';
import { LockWait } from './lock-wait.js';
import type { Lock } from './lock.js';
import { enterLocalQueue } from './local-queue.js';
import { checkStringOption } from './check-option.js';
import { tryLock } from './try-lock.js';
import { waitForLock } from './wait-for-lock.js';

/** Targets this process has already swept for abandoned staging folders. */
const sweptTargets = new Set<string>();

/**
 * Acquires an advisory cross-process lock on `file` (which need not exist; a missing parent
 * folder is created). Waits with short jittered backoff (5–100 ms); takes over at once a lock
 * whose owner process died on this host, and any lock not refreshed for `stale` ms. Callers in
 * one process queue first come, first served.
 *
 * Rejects with `LockTimeoutError` (`ELOCKED`) after `timeout` ms, also when `<file>.lock` is
 * another program's lock file, and with `LockAbortError` (`ABORT_ERR`) when `signal` aborts.
 *
 * @example
 * ```ts
 * const lock = await acquireLock('runs/a/progress.json', { timeout: 5_000 });
 * try {
 *   // ... read, modify ...
 *   await lock.verify(); // still ours? then commit
 *   // ... write ...
 * } finally {
 *   await lock.release();
 * }
 * ```
 */
export async function acquireLock(file: string, options?: LockOptions): Promise<Lock> {
  checkStringOption('file', file);
  const timings = resolveLockOptions(options);
  if (timings.signal?.aborted) throw new LockAbortError(file, timings.signal.reason);
  const target = resolveLockTarget(file, true);
  const wait = new LockWait(target, timings.timeoutMs, timings.signal);
  wait.throwIfAborted();
  const leaveLocalQueue = await enterLocalQueue(target, wait);
  try {
    const lockDir = lockDirFor(target);
    if (!sweptTargets.has(target)) {
      sweptTargets.add(target);
      await sweepStagingDirs(lockDir, timings.staleMs);
    }
    return await waitForLock(wait, {
      attempt: () => tryLock(target, lockDir, timings, leaveLocalQueue),
      inspect: () => inspectLock(lockDir, timings.staleMs),
      clear: (inspection) => clearAbandonedLock(lockDir, inspection),
    });
  } catch (error) {
    leaveLocalQueue();
    throw error;
  }
}
