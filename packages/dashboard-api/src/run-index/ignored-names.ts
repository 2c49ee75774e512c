import { isTempFileName } from '@runboard/json-io';
import { RUN_FILES } from '@runboard/launcher';
import { isLockFolderName } from '@runboard/locking';

const SEARCHABLE_FOLDER = /^[A-Za-z0-9_=+,@-][A-Za-z0-9._=+,@-]*$/;

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
