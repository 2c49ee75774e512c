import type { Stats } from 'node:fs';
import {
  closeSync,
  fchmodSync,
  fchownSync,
  fsyncSync,
  lstatSync,
  mkdirSync,
  openSync,
  readlinkSync,
  realpathSync,
  renameSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { mkdir, open, unlink } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { JsonWriteError } from './errors.js';
import { sweepOrphans, sweepOrphansSync, tempPathFor } from './temp-files.js';

export interface ReplaceOptions {
  /** fsync the temp file before the rename and the folder after it. */
  durable: boolean;
  /** Asked right before the rename; `false` discards the temp file instead (a newer value landed). */
  shouldRename?: () => boolean;
}

const MAX_SYMLINK_HOPS = 40;

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
 * Atomically replaces `target` (a real path, see {@link resolveTarget}) with `text`: unique temp
 * file created exclusively beside it, every byte written, optional fsync, rename, optional folder
 * fsync. Orphaned temp files of the same target are swept meanwhile. Resolves whether it renamed.
 */
export async function replaceFile(
  given: string,
  text: string,
  options: ReplaceOptions,
): Promise<boolean> {
  const { target, stats } = statTarget(given);
  const dir = dirname(target);
  // Runs beside the write, so sweeping costs no extra round trip.
  const sweeping = sweepOrphans(dir, basename(target)).catch(() => []);
  const temp = tempPathFor(target);
  let handle: FileHandle | undefined;
  let created = false;
  try {
    handle = await createTemp(temp, options.durable);
    created = true;
    if (stats) copyOwnershipSync(handle.fd, stats);
    await writeAll(handle, Buffer.from(text));
    if (options.durable) await handle.sync();
    await handle.close();
    handle = undefined;
    if (options.shouldRename?.() === false) {
      await unlink(temp).catch(() => {});
      return false;
    }
    // Synchronous, so that shouldRename and the rename are one step for this process's writers.
    renameSync(temp, target);
  } catch (error) {
    await handle?.close().catch(() => {});
    if (created) await unlink(temp).catch(() => {});
    throw new JsonWriteError(target, error);
  } finally {
    await sweeping;
  }
  if (options.durable) {
    await syncFolder(dir).catch((error: unknown) => {
      throw new JsonWriteError(
        target,
        error,
        '; the new content is in place, its durability unknown',
      );
    });
  }
  return true;
}

/** Synchronous {@link replaceFile}. */
export function replaceFileSync(given: string, text: string, options: ReplaceOptions): boolean {
  const { target, stats } = statTarget(given);
  const dir = dirname(target);
  try {
    sweepOrphansSync(dir, basename(target));
  } catch {
    // best effort, like the async sweep: an unreadable folder fails the write below anyway
  }
  const temp = tempPathFor(target);
  let fd: number | undefined;
  let created = false;
  try {
    fd = createTempSync(temp, options.durable);
    created = true;
    const data = Buffer.from(text);
    for (let offset = 0; offset < data.length;) {
      offset += writeSync(fd, data, offset, data.length - offset);
    }
    if (stats) copyOwnershipSync(fd, stats);
    if (options.durable) fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    if (options.shouldRename?.() === false) {
      unlinkQuietlySync(temp);
      return false;
    }
    renameSync(temp, target);
  } catch (error) {
    if (fd !== undefined) closeQuietlySync(fd);
    if (created) unlinkQuietlySync(temp);
    throw new JsonWriteError(target, error);
  }
  if (options.durable) {
    try {
      syncFolderSync(dir);
    } catch (error) {
      throw new JsonWriteError(
        target,
        error,
        '; the new content is in place, its durability unknown',
      );
    }
  }
  return true;
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

async function createTemp(temp: string, durable: boolean): Promise<FileHandle> {
  try {
    return await open(temp, 'wx');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const dir = dirname(temp);
  const firstCreated = await mkdir(dir, { recursive: true });
  if (durable && firstCreated) {
    for (const parent of parentsToSync(dir, firstCreated)) await syncFolder(parent);
  }
  return open(temp, 'wx');
}

function createTempSync(temp: string, durable: boolean): number {
  try {
    return openSync(temp, 'wx');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const dir = dirname(temp);
  const firstCreated = mkdirSync(dir, { recursive: true });
  if (durable && firstCreated) {
    for (const parent of parentsToSync(dir, firstCreated)) syncFolderSync(parent);
  }
  return openSync(temp, 'wx');
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

async function writeAll(handle: FileHandle, data: Buffer): Promise<void> {
  for (let offset = 0; offset < data.length;) {
    const { bytesWritten } = await handle.write(data, offset, data.length - offset);
    offset += bytesWritten;
  }
}

/** Synchronous even in the async path: an in-memory inode update, cheaper than a thread-pool hop. */
function copyOwnershipSync(fd: number, stats: Stats): void {
  fchmodSync(fd, stats.mode & 0o7777);
  if (stats.uid !== process.geteuid?.() || stats.gid !== process.getegid?.()) {
    try {
      fchownSync(fd, stats.uid, stats.gid);
    } catch (error) {
      ignorePermissionDenied(error);
    }
  }
}

/** Keeping the owner is best effort: only root may give a file away (EINVAL: unmapped ids). */
function ignorePermissionDenied(error: unknown): void {
  const code = (error as NodeJS.ErrnoException).code;
  if (code !== 'EPERM' && code !== 'EINVAL') throw error;
}

async function syncFolder(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync().catch(ignoreUnsupportedFolderSync);
  } finally {
    await handle.close();
  }
}

function syncFolderSync(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } catch (error) {
    ignoreUnsupportedFolderSync(error);
  } finally {
    closeSync(fd);
  }
}

/** Some file systems (certain network and FUSE mounts) cannot fsync a folder; nothing more can be done there. */
function ignoreUnsupportedFolderSync(error: unknown): void {
  const code = (error as NodeJS.ErrnoException).code;
  if (code !== 'EINVAL' && code !== 'ENOTSUP') throw error;
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
