import type { Stats } from 'node:fs';
import { fchmodSync, fchownSync } from 'node:fs';

/**
 * How file systems refuse to set a mode or an owner: `EPERM` (FAT, many network and FUSE
 * mounts; only root may give a file away), `ENOTSUP`/`ENOSYS` (not implemented there), `EINVAL`
 * (ids the file system cannot map).
 */
const REFUSALS = new Set(['EPERM', 'EINVAL', 'ENOSYS', 'ENOTSUP']);

/**
 * Gives the temp file the mode and owner of the file it replaces. Best effort, as in
 * write-file-atomic: where the file system refuses, the replacement keeps the mode and owner it
 * was created with, rather than every write failing. Synchronous even in the async path: an
 * in-memory inode update, cheaper than a thread-pool round trip.
 */
export function copyOwnershipSync(fd: number, stats: Stats): void {
  try {
    fchmodSync(fd, stats.mode & 0o7777);
  } catch (error) {
    throwUnlessRefusal(error);
  }
  if (stats.uid === process.geteuid?.() && stats.gid === process.getegid?.()) return;
  try {
    fchownSync(fd, stats.uid, stats.gid);
  } catch (error) {
    throwUnlessRefusal(error);
  }
}

function throwUnlessRefusal(error: unknown): void {
  if (!REFUSALS.has((error as NodeJS.ErrnoException).code ?? '')) throw error;
}
