import type { LockOptions as UpstreamLockOptions } from 'proper-lockfile';
import { lock as properLock } from 'proper-lockfile';
import { LockFiles } from './lock-files.js';
import type { LockTimings } from './lock-options.js';
import { HeldLock } from './lock.js';
import type { LeaveLocalQueue } from './local-queue.js';
import { createOwnerRecord } from './owner.js';

/**
 * proper-lockfile's options for one attempt: no retries (waiting is ours), no realpath (the
 * target is canonical already), and {@link LockFiles} as its file system.
 */
export function upstreamLockOptions(
  lockDir: string,
  timings: Pick<LockTimings, 'staleMs' | 'refreshMs'>,
  files: LockFiles,
  onCompromised: (error: Error) => void,
): UpstreamLockOptions {
  return {
    stale: timings.staleMs,
    update: timings.refreshMs,
    realpath: false,
    retries: 0,
    lockfilePath: lockDir,
    fs: files,
    onCompromised,
  };
}

/** One attempt through proper-lockfile; undefined when another owner holds the lock. */
export async function tryLock(
  target: string,
  lockDir: string,
  timings: LockTimings,
  leaveLocalQueue: LeaveLocalQueue,
): Promise<HeldLock | undefined> {
  const owner = createOwnerRecord();
  // `lock` is set once proper-lockfile has created the lock; the hooks below may run before.
  const held: { lock?: HeldLock; earlyCompromise?: Error } = {};
  const files = new LockFiles(lockDir, owner, {
    beforeRefresh: () => held.lock?.refuseRefresh(),
  });
  const onCompromised = (error: Error) => {
    // proper-lockfile hands over its own copy of a failed refresh's error, recoded ECOMPROMISED.
    const cause = files.refreshError ?? error;
    if (held.lock) held.lock.markCompromised(error.message, cause);
    else held.earlyCompromise = cause;
  };
  let releaseUpstream: () => Promise<void>;
  try {
    releaseUpstream = await properLock(
      target,
      upstreamLockOptions(lockDir, timings, files, onCompromised),
    );
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ELOCKED') return undefined;
    throw error;
  }
  const lock = new HeldLock({
    file: target,
    owner,
    files,
    trustMs: timings.trustMs,
    releaseUpstream,
    leaveLocalQueue,
  });
  held.lock = lock;
  const early = held.earlyCompromise;
  if (early) lock.markCompromised(early.message, early);
  return lock;
}
