import { mkdirSync, realpathSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';

const RECORD_PATTERN = /^owner-([0-9a-f]{16})\.json$/;
const STAGING_SUFFIX = '.new';
const LOCK_SUFFIX = '.lock';

/** The folder whose existence is the lock (proper-lockfile's default `<file>.lock`). */
export function lockDirFor(target: string): string {
  return `${target}${LOCK_SUFFIX}`;
}

/** The file a lock folder protects: `lockDirFor`'s inverse. */
export function lockTargetOf(lockDir: string): string {
  return lockDir.slice(0, -LOCK_SUFFIX.length);
}

export function recordNameFor(token: string): string {
  return `owner-${token}.json`;
}

export function isRecordName(name: string): boolean {
  return RECORD_PATTERN.test(name);
}

/** Where a new lock folder is prepared (with its record) before it is renamed into place. */
export function stagingDirFor(lockDir: string, token: string): string {
  return `${lockDir}.${token}${STAGING_SUFFIX}`;
}

/** Whether `name` (an entry beside the lock folder) is a staging folder of `lockDir`. */
export function isStagingNameOf(lockDir: string, name: string): boolean {
  const prefix = `${basename(lockDir)}.`;
  if (!name.startsWith(prefix) || !name.endsWith(STAGING_SUFFIX)) return false;
  return /^[0-9a-f]{16}$/.test(name.slice(prefix.length, -STAGING_SUFFIX.length));
}

function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException).code === 'ENOENT';
}

/**
 * The canonical path to lock, so that every spelling of one file (relative, through symlinks)
 * maps to one lock: the real path of the file, or of its folder when the file does not exist yet.
 * With `createParent`, a missing folder is created. Synchronous: cheap metadata lookups.
 */
export function resolveLockTarget(file: string, createParent: boolean): string {
  const absolute = resolve(file);
  try {
    return realpathSync.native(absolute);
  } catch (error) {
    if (!isMissing(error)) throw error;
  }
  const parent = dirname(absolute);
  try {
    return join(realpathSync.native(parent), basename(absolute));
  } catch (error) {
    if (!isMissing(error)) throw error;
    if (!createParent) return absolute;
  }
  mkdirSync(parent, { recursive: true });
  return join(realpathSync.native(parent), basename(absolute));
}

/**
 * Whether a file-system entry name belongs to this package's locks: a lock folder
 * (`<file>.lock`) or one being staged (`<file>.lock.<token>.new`). Watchers of folders that
 * hold locked files use it to ignore them.
 *
 * @example
 * isLockFolderName('progress.json.lock'); // true
 * isLockFolderName('progress.json'); // false
 */
export function isLockFolderName(name: string): boolean {
  return LOCK_FOLDER_PATTERN.test(name);
}

const LOCK_FOLDER_PATTERN = new RegExp(`\\.lock(?:\\.[0-9a-f]{16}\\${STAGING_SUFFIX})?$`);
