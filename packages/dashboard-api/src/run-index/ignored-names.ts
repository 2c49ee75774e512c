import { isTempFileName } from '@runboard/json-io';
import { RUN_FILES } from '@runboard/launcher';

// Local until @runboard/locking exports a predicate: `<file>.lock` and its staging folders
// `<file>.lock.<16 hex>.new`.
const LOCK_FOLDER = /\.lock(?:\.[0-9a-f]{16}\.new)?$/;
const SEARCHABLE_FOLDER = /^[A-Za-z0-9_=+,@-][A-Za-z0-9._=+,@-]*$/;

/** Whether a folder name is a lock folder (`<file>.lock`) or one being staged. */
export function isLockFolderName(name: string): boolean {
  return LOCK_FOLDER.test(name);
}

/**
 * Whether a folder may hold runs: not hidden, not a lock folder, not a runboard temp file,
 * and a valid run-id segment.
 */
export function isSearchableFolderName(name: string): boolean {
  return SEARCHABLE_FOLDER.test(name) && !isLockFolderName(name) && !isTempFileName(name);
}

/** Whether a file name is the run record. */
export function isRunRecordName(name: string): boolean {
  return name === RUN_FILES.progress;
}
