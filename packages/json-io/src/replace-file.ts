import type { Stats } from 'node:fs';
import {
  close,
  closeSync,
  fsync,
  fsyncSync,
  linkSync,
  lstatSync,
  mkdirSync,
  openSync,
  readlinkSync,
  realpathSync,
  renameSync,
  unlinkSync,
  write,
  writeSync,
} from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { copyOwnershipSync } from './copy-ownership.js';
import { JsonWriteError } from './errors.js';
import { syncFolder, syncFolderSync } from './sync-folder.js';
import { sweepOrphans, sweepOrphansSync, tempPathFor } from './temp-files.js';

const closeAsync = promisify(close);
const fsyncAsync = promisify(fsync);
const writeAsync = promisify(write);

export interface ReplaceOptions {
  /** fsync the temp file before the rename and the folder after it. */
  durable: boolean;
  /** Asked right before the rename; `false` discards the temp file instead (a newer value landed). */
  shouldRename?: () => boolean;
  /**
   * Called (and must not throw) right after the rename, before the folder's fsync: the new
   * content is visible from then on, so a caller holding a lock can release it already.
   */
  afterRename?: () => void;
  /**
   * Only create the target: the temp file is hard-linked into place instead of renamed, which
   * fails with `EEXIST` (target untouched) when the target exists. Atomic on NFS too.
   */
  exclusive?: boolean;
}

const MAX_SYMLINK_HOPS = 40;

/**
 * Data up to this size is written synchronously even by `replaceFile`: copying it into the page
 * cache takes microseconds, less than a thread-pool round trip.
 */
const SYNC_WRITE_LIMIT = 64 * 1024;

/**
 * The real path a write to `file` replaces: symlinks are followed, so the link stays a link;
 * a dangling link resolves to the file it names, a missing file to its real parent folder.
 */
export function resolveTarget(file: string): string {
  let path = resolve(file);
  for (let hop = 0; hop < MAX_SYMLINK_HOPS; hop++) {
    try {
      return realpathSync.native(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    let link: string;
    try {
      link = readlinkSync(path);
    } catch {
      return realParent(path);
    }
    path = resolve(dirname(path), link);
  }
  throw Object.assign(new Error(`Too many symbolic links: ${file}`), { code: 'ELOOP' });
}

function realParent(path: string): string {
  try {
    return join(realpathSync.native(dirname(path)), basename(path));
  } catch {
    return path;
  }
}

/**
 * Atomically replaces `target` (a real path, see {@link resolveTarget}) with `json` and a final
 * newline: unique temp file created exclusively beside it, every byte written, optional fsync,
 * rename, optional fsync of the folder (and of folders it created). Orphaned temp files of the
 * same target are swept first (small folder) or meanwhile. Resolves whether it renamed.
 */
export async function replaceFile(
  given: string,
  json: string,
  options: ReplaceOptions,
): Promise<boolean> {
  const { target, stats } = statTarget(given);
  const sweeping = sweepBeside(target);
  const temp = tempPathFor(target);
  let fd: number | undefined;
  let foldersToSync: string[] | undefined;
  try {
    // Creating the file is a metadata step like the rename: done synchronously, it saves a
    // thread-pool round trip, as does writing a small value. Large writes, fsync and the close of
    // an unsynced file (which flushes on NFS) use the pool.
    ({ fd, foldersToSync } = createTemp(temp, stats));
    const data = encodeWithNewline(json);
    if (data.length <= SYNC_WRITE_LIMIT) writeAllSync(fd, data);
    else {
      for (let offset = 0; offset < data.length;) {
        offset += (await writeAsync(fd, data, offset, data.length - offset)).bytesWritten;
      }
    }
    const closing = fd;
    if (options.durable) {
      await fsyncAsync(closing);
      fd = undefined; // a failed close frees the descriptor too: never close it twice
      // After the fsync nothing is left to flush, so closing is cheap even on NFS.
      closeSync(closing);
    } else {
      fd = undefined;
      await closeAsync(closing); // flushes on NFS (close-to-open): not on the event loop
    }
    if (!renameIntoPlace(temp, target, options)) return false;
  } catch (error) {
    throw failed(target, temp, fd, foldersToSync !== undefined, error);
  } finally {
    await sweeping;
  }
  options.afterRename?.();
  try {
    if (options.durable) for (const folder of foldersToSync ?? []) await syncFolder(folder);
  } catch (error) {
    throw new JsonWriteError(target, error, DURABILITY_UNKNOWN);
  }
  return true;
}

/** Synchronous {@link replaceFile}. */
export function replaceFileSync(given: string, json: string, options: ReplaceOptions): boolean {
  const { target, stats } = statTarget(given);
  sweepQuietlySync(target);
  const temp = tempPathFor(target);
  let fd: number | undefined;
  let foldersToSync: string[] | undefined;
  try {
    ({ fd, foldersToSync } = createTemp(temp, stats));
    writeAllSync(fd, encodeWithNewline(json));
    if (options.durable) fsyncSync(fd);
    const closing = fd;
    fd = undefined;
    closeSync(closing);
    if (!renameIntoPlace(temp, target, options)) return false;
  } catch (error) {
    throw failed(target, temp, fd, foldersToSync !== undefined, error);
  }
  options.afterRename?.();
  try {
    if (options.durable) for (const folder of foldersToSync ?? []) syncFolderSync(folder);
  } catch (error) {
    throw new JsonWriteError(target, error, DURABILITY_UNKNOWN);
  }
  return true;
}

/**
 * Folders up to this size (as `stat` reports it: one block on ext4, up to a few hundred entries
 * on common file systems) are swept synchronously: `readdir` of a small folder costs less than a
 * thread-pool round trip.
 */
const SMALL_FOLDER_BYTES = 16 * 1024;

/** Sweeps orphaned temp files of `target`: at once in a small folder, else beside the write. */
function sweepBeside(target: string): Promise<unknown> {
  const dir = dirname(target);
  let small = false;
  try {
    small = lstatSync(dir).size <= SMALL_FOLDER_BYTES;
  } catch {
    // a missing folder: the write creates it, nothing to sweep
  }
  if (small) {
    sweepQuietlySync(target);
    return Promise.resolve();
  }
  return sweepOrphans(dir, basename(target)).catch(() => []);
}

function sweepQuietlySync(target: string): void {
  try {
    sweepOrphansSync(dirname(target), basename(target));
  } catch {
    // best effort: an unreadable folder fails the write anyway
  }
}

/**
 * The last step of both variants: asks `shouldRename`, then moves the temp file into place, or
 * discards it. Synchronous, so that the question and the rename are one step for this process's
 * writers. Returns whether it renamed.
 */
function renameIntoPlace(temp: string, target: string, options: ReplaceOptions): boolean {
  if (options.shouldRename?.() === false) {
    unlinkQuietlySync(temp);
    return false;
  }
  moveIntoPlace(temp, target, options.exclusive === true);
  return true;
}

/** Renames the temp file over the target, or with `exclusive` links it to a target not there yet. */
function moveIntoPlace(temp: string, target: string, exclusive: boolean): void {
  if (!exclusive) return renameSync(temp, target);
  try {
    linkSync(temp, target);
  } catch (error) {
    // Over NFS a retransmitted link can report EEXIST although the first attempt succeeded.
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || !isSameFile(temp, target))
      throw error;
  }
  unlinkQuietlySync(temp);
}

function isSameFile(a: string, b: string): boolean {
  try {
    const [first, second] = [lstatSync(a), lstatSync(b)];
    return first.ino === second.ino && first.dev === second.dev;
  } catch {
    return false;
  }
}

const DURABILITY_UNKNOWN = '; the new content is in place, its durability unknown';

/** Cleans up after a failure before the rename: the temp file, if this call created it, goes away. */
function failed(
  target: string,
  temp: string,
  fd: number | undefined,
  created: boolean,
  error: unknown,
): JsonWriteError {
  if (fd !== undefined) closeQuietlySync(fd);
  if (created) unlinkQuietlySync(temp);
  return new JsonWriteError(target, error);
}

/**
 * The target's current stats, for its mode and owner. A synchronous lstat costs ~3 µs, far less
 * than a thread-pool round trip. A path that became a symlink since it was resolved is followed.
 */
function statTarget(given: string): { target: string; stats: Stats | undefined } {
  let target = given;
  try {
    for (;;) {
      const stats = lstatSync(target, { throwIfNoEntry: false });
      if (!stats?.isSymbolicLink()) return { target, stats };
      target = resolveTarget(target);
    }
  } catch (error) {
    throw new JsonWriteError(given, error);
  }
}

/**
 * Creates the temp file exclusively (`wx`), with the target's mode and owner, and any missing
 * folders. Returns its descriptor and the folders whose entries changed: its own folder, then
 * the parents of folders it created, deepest first.
 */
function createTemp(
  temp: string,
  stats: Stats | undefined,
): { fd: number; foldersToSync: string[] } {
  const dir = dirname(temp);
  let fd: number;
  let foldersToSync = [dir];
  try {
    fd = openSync(temp, 'wx');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    const firstCreated = mkdirSync(dir, { recursive: true });
    if (firstCreated) foldersToSync = [dir, ...parentsToSync(dir, firstCreated)];
    fd = openSync(temp, 'wx');
  }
  try {
    if (stats) copyOwnershipSync(fd, stats);
  } catch (error) {
    closeQuietlySync(fd);
    unlinkQuietlySync(temp);
    throw error;
  }
  return { fd, foldersToSync };
}

/** The folders that gained an entry when `firstCreated` … `dir` were made, deepest first. */
function parentsToSync(dir: string, firstCreated: string): string[] {
  const parents: string[] = [];
  const top = dirname(firstCreated);
  for (let folder = dir; folder !== top && folder !== dirname(folder);) {
    folder = dirname(folder);
    parents.push(folder);
  }
  return parents;
}

/** UTF-8 with a final newline, without building `json + '\n'` (a 1 MB string copy). */
function encodeWithNewline(json: string): Buffer {
  const length = Buffer.byteLength(json);
  const data = Buffer.allocUnsafe(length + 1);
  data.write(json, 0, length, 'utf8');
  data[length] = 0x0a;
  return data;
}

function writeAllSync(fd: number, data: Buffer): void {
  for (let offset = 0; offset < data.length;) {
    offset += writeSync(fd, data, offset, data.length - offset);
  }
}

function closeQuietlySync(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // already failing; the first error is the one to report
  }
}

function unlinkQuietlySync(temp: string): void {
  try {
    unlinkSync(temp);
  } catch {
    // never created, or already gone
  }
}
