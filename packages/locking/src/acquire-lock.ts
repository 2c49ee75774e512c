import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { lock as properLock } from 'proper-lockfile';
import { LockAbortError } from './errors.js';
import {
  inspectLock,
  LOCK_STATES,
  removeEmptyLockDir,
  sweepStagingDirs,
  takeOverLock,
} from './inspect-lock.js';
import { LockFiles } from './lock-files.js';
import type { LockOptions, LockTimings } from './lock-options.js';
import { resolveLockOptions } from './lock-options.js';
import { lockDirFor, resolveLockTarget, validateFileArgument } from './lock-paths.js';
import { LockWait } from './lock-wait.js';
import type { Lock } from './lock.js';
import { HeldLock } from './lock.js';
import type { LeaveLocalQueue } from './local-queue.js';
import { enterLocalQueue } from './local-queue.js';
import { createOwnerRecord } from './owner.js';

/** Targets this process has already swept for abandoned staging folders. */
const sweptTargets = new Set<string>();

/**
 * Acquires an advisory cross-process lock on `file` (which need not exist; a missing parent
 * folder is created). Waits with short jittered backoff (5–100 ms); takes over at once a lock
 * whose owner process died on this host, and any lock not refreshed for `stale` ms. Callers in
 * one process queue first come, first served.
 *
 * Rejects with `LockTimeoutError` (`ELOCKED`) after `timeout` ms and with `LockAbortError`
 * (`ABORT_ERR`) when `signal` aborts.
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
  validateFileArgument(file);
  const timings = resolveLockOptions(options);
  if (timings.signal?.aborted) throw new LockAbortError(file, timings.signal.reason);
  const target = resolveLockTarget(file, true);
  if (timings.signal?.aborted) throw new LockAbortError(target, timings.signal.reason);
  const wait = new LockWait(target, timings.timeoutMs, timings.signal);
  const leaveLocalQueue = await enterLocalQueue(target, wait);
  try {
    const lockDir = lockDirFor(target);
    if (!sweptTargets.has(target)) {
      sweptTargets.add(target);
      await sweepStagingDirs(lockDir, timings.staleMs);
    }
    return await lockOnDisk(target, lockDir, timings, wait, leaveLocalQueue);
  } catch (error) {
    leaveLocalQueue();
    throw error;
  }
}

async function lockOnDisk(
  target: string,
  lockDir: string,
  timings: LockTimings,
  wait: LockWait,
  leaveLocalQueue: LeaveLocalQueue,
): Promise<Lock> {
  let inspectFirst = false;
  for (;;) {
    if (timings.signal?.aborted) throw wait.abortError();
    if (!inspectFirst) {
      const lock = await tryLock(target, lockDir, timings, leaveLocalQueue);
      if (lock) return lock;
    }
    inspectFirst = false;
    const inspection = inspectLock(lockDir, timings.staleMs);
    switch (inspection.state) {
      case LOCK_STATES.free:
        // The steps above are synchronous: let timers (timeouts, other locks' refreshes) run
        // before trying again, however often the lock changes hands.
        await yieldToEventLoop();
        continue;
      case LOCK_STATES.empty:
        removeEmptyLockDir(lockDir);
        await yieldToEventLoop();
        continue;
      case LOCK_STATES.dead:
      case LOCK_STATES.stale:
        takeOverLock(lockDir, inspection.recordName as string);
        await yieldToEventLoop();
        continue;
      default:
        await wait.backoff();
        inspectFirst = true;
    }
  }
}

/** One attempt through proper-lockfile; undefined when another owner holds the lock. */
async function tryLock(
  target: string,
  lockDir: string,
  timings: LockTimings,
  leaveLocalQueue: LeaveLocalQueue,
): Promise<HeldLock | undefined> {
  const owner = createOwnerRecord();
  const controller = new AbortController();
  let lastRefreshAt = Date.now();
  // Filled in once proper-lockfile has created the lock; the hooks below may run before that.
  const held: { lock?: HeldLock; compromise?: Error } = {};
  const files = new LockFiles(lockDir, owner, {
    beforeRefresh: () => {
      const { lock } = held;
      if (!lock) return undefined;
      const age = Date.now() - lastRefreshAt;
      if (age > timings.trustMs)
        lock.markCompromised(`not refreshed for ${age} ms (the event loop or process stalled)`);
      return lock.compromised
        ? Object.assign(new Error('Lock is compromised'), { code: 'ECOMPROMISED' })
        : undefined;
    },
    onRefreshed: (atMs) => {
      lastRefreshAt = atMs;
    },
  });
  const onCompromised = (error: Error) => {
    if (held.lock) held.lock.markCompromised(error.message, error);
    else held.compromise = error;
  };
  let releaseUpstream: () => Promise<void>;
  try {
    releaseUpstream = await properLock(target, {
      stale: timings.staleMs,
      update: timings.refreshMs,
      realpath: false,
      retries: 0,
      lockfilePath: lockDir,
      fs: files,
      onCompromised,
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ELOCKED') return undefined;
    throw error;
  }
  const lock = new HeldLock(
    { file: target, owner, files, trustMs: timings.trustMs, releaseUpstream, leaveLocalQueue },
    controller,
    () => lastRefreshAt,
  );
  held.lock = lock;
  if (held.compromise) lock.markCompromised(held.compromise.message, held.compromise);
  return lock;
}
