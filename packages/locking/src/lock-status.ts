import { inspectLock, LOCK_STATES } from './inspect-lock.js';
import type { LockOptions } from './lock-options.js';
import { resolveLockOptions } from './lock-options.js';
import { checkStringOption } from './check-option.js';
import { lockDirFor, resolveLockTarget } from './lock-paths.js';
import type { LockOwner } from './owner.js';
import { isLocalOwner } from './owner.js';

/** Options of {@link isLocked} and {@link readLockOwner}. */
export type LockStatusOptions = Pick<LockOptions, 'stale'>;

/** A lock's owner as {@link readLockOwner} finds it. */
export interface LockOwnerInfo extends LockOwner {
  /** The owner's last refresh (its record's mtime). */
  refreshedAt: Date;
  /** Whether the owner ran on this host (same host name, boot and pid namespace). */
  local: boolean;
  /** `held`: live and fresh; `dead`: its process is gone (local owners only); `stale`: not refreshed for `stale` ms. */
  state: 'held' | 'dead' | 'stale';
}

/**
 * Whether another owner (or this process) currently holds a live lock on `file`. A lock whose
 * owner died on this host, or that went stale, counts as not locked: the next `acquireLock` takes
 * it over at once. A snapshot only: it may change right after.
 *
 * @example
 * ```ts
 * if (await isLocked('runs/a/progress.json')) console.log('a writer is busy');
 * ```
 */
export async function isLocked(file: string, options?: LockStatusOptions): Promise<boolean> {
  checkStringOption('file', file);
  const { staleMs } = resolveLockOptions({ stale: options?.stale });
  const inspection = inspectLock(lockDirFor(resolveLockTarget(file, false)), staleMs);
  return inspection.state === LOCK_STATES.held || inspection.state === LOCK_STATES.unknown;
}

/**
 * Reads the owner record of the lock on `file`, for diagnostics; undefined when there is no
 * lock or its record cannot be read.
 *
 * @example
 * ```ts
 * const owner = await readLockOwner('runs/a/progress.json');
 * if (owner) console.log(`held by pid ${owner.pid} on ${owner.hostname} (${owner.state})`);
 * ```
 */
export async function readLockOwner(
  file: string,
  options?: LockStatusOptions,
): Promise<LockOwnerInfo | undefined> {
  checkStringOption('file', file);
  const { staleMs } = resolveLockOptions({ stale: options?.stale });
  const inspection = inspectLock(lockDirFor(resolveLockTarget(file, false)), staleMs);
  const { owner, refreshedAt, state } = inspection;
  if (!owner || !refreshedAt || (state !== 'held' && state !== 'dead' && state !== 'stale'))
    return undefined;
  return { ...owner, refreshedAt, local: isLocalOwner(owner), state };
}
