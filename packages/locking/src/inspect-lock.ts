import { lstatSync, readFileSync, readdirSync, rmdirSync, statSync, unlinkSync } from 'node:fs';
import { readFile, readdir, rmdir, stat, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { isRecordName, isStagingNameOf } from './lock-paths.js';
import type { LockOwner } from './owner.js';
import { isLocalOwner, isLocalOwnerAlive, parseOwnerRecord } from './owner.js';

/**
 * What a waiter finds at `<file>.lock`:
 * - `free`: no lock folder;
 * - `empty`: a folder without a record, which a live lock never is (it is created with its record
 *   by a rename), so anyone may remove it;
 * - `dead`: the owner ran on this host and its process is gone;
 * - `stale`: the owner's record was not refreshed for `stale` ms;
 * - `held`: a live, fresh owner;
 * - `unknown`: something else, not made by this package (see `foreign`); never taken over.
 */
export const LOCK_STATES = {
  free: 'free',
  empty: 'empty',
  dead: 'dead',
  stale: 'stale',
  held: 'held',
  unknown: 'unknown',
} as const;

export type LockState = (typeof LOCK_STATES)[keyof typeof LOCK_STATES];

export interface LockInspection {
  state: LockState;
  /**
   * For `unknown`: `file` when `<file>.lock` is not a folder (another program's lock file, such
   * as Python filelock's), `entries` when the folder holds files this package did not write.
   */
  foreign?: 'file' | 'entries';
  /** The record file's name inside the lock folder, when there is exactly one. */
  recordName?: string;
  /** Parsed record; undefined when it could not be read or parsed. */
  owner?: LockOwner;
  /** The record's mtime: the owner's last refresh. */
  refreshedAt?: Date;
}

function errorCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException).code;
}

/**
 * Looks at the lock folder. Synchronous (a one-entry folder and a small record): waiters call it
 * on every attempt, and a thread-pool round trip per step would cost more than the steps.
 */
export function inspectLock(lockDir: string, staleMs: number): LockInspection {
  let entries: string[];
  try {
    entries = readdirSync(lockDir);
  } catch (error) {
    // A dangling symlink reads as missing, but nobody could rename a lock folder onto it.
    if (errorCode(error) === 'ENOENT' && !lstatSync(lockDir, { throwIfNoEntry: false }))
      return { state: LOCK_STATES.free };
    if (errorCode(error) === 'ENOENT' || errorCode(error) === 'ENOTDIR')
      return { state: LOCK_STATES.unknown, foreign: 'file' };
    throw error;
  }
  if (entries.length === 0) return { state: LOCK_STATES.empty };
  const [recordName] = entries;
  if (entries.length !== 1 || recordName === undefined || !isRecordName(recordName)) {
    return { state: LOCK_STATES.unknown, foreign: 'entries' };
  }
  const recordPath = join(lockDir, recordName);
  let text: string;
  let refreshedAt: Date;
  try {
    text = readFileSync(recordPath, 'utf8');
    refreshedAt = statSync(recordPath).mtime;
  } catch (error) {
    // Released or taken over while we looked: look again.
    if (errorCode(error) === 'ENOENT') return { state: LOCK_STATES.free };
    throw error;
  }
  const owner = parseOwnerRecord(text);
  const base = { recordName, refreshedAt, ...(owner && { owner }) };
  if (owner && isLocalOwner(owner) && !isLocalOwnerAlive(owner))
    return { ...base, state: LOCK_STATES.dead };
  if (refreshedAt.getTime() < Date.now() - staleMs) return { ...base, state: LOCK_STATES.stale };
  return { ...base, state: LOCK_STATES.held };
}

/**
 * Says what holds a lock that a waiter gave up on, for the timeout error; undefined when it is
 * not known.
 */
export function describeHolder(lockDir: string, inspection: LockInspection): string | undefined {
  if (inspection.foreign === 'file')
    return `${lockDir} is a file, not a lock folder: another program's lock (Python's filelock uses this name), which runboard waits for and never removes`;
  if (inspection.foreign === 'entries')
    return `${lockDir} holds files that runboard did not write; runboard waits for them and never removes them`;
  const { owner } = inspection;
  if (inspection.state === LOCK_STATES.held && owner)
    return `its owner is pid ${owner.pid} on ${owner.hostname}`;
  return undefined;
}

/** Whether a waiter that found this may clear the lock and try again at once. */
export function isAbandoned(state: LockState): boolean {
  return state !== LOCK_STATES.held && state !== LOCK_STATES.unknown;
}

/**
 * Clears an abandoned lock so that the next attempt can win it: removes an empty folder, takes
 * a dead or stale owner's lock away; nothing to do for a free one.
 */
export function clearAbandonedLock(lockDir: string, inspection: LockInspection): void {
  const { state, recordName } = inspection;
  if (state === LOCK_STATES.empty) removeEmptyLockDir(lockDir);
  else if ((state === LOCK_STATES.dead || state === LOCK_STATES.stale) && recordName)
    takeOverLock(lockDir, recordName);
}

/** Removes a lock folder only if it is empty; a live lock never is. */
export function removeEmptyLockDir(lockDir: string): void {
  try {
    rmdirSync(lockDir);
  } catch (error) {
    const code = errorCode(error);
    if (code !== 'ENOENT' && code !== 'ENOTEMPTY' && code !== 'EEXIST') throw error;
  }
}

/**
 * Takes a dead or stale lock away from its owner. Unlinking the owner's record by its unique name
 * is the atomic step: of N racers exactly one unlink succeeds, and it can only ever remove the
 * owner that was judged, never a newer lock (whose record has another name). The emptied folder
 * is then removed; the lock itself is won afterwards by the usual rename, by whoever is first.
 *
 * @returns whether this caller removed the owner.
 */
export function takeOverLock(lockDir: string, recordName: string): boolean {
  try {
    unlinkSync(join(lockDir, recordName));
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return false;
    throw error;
  }
  removeEmptyLockDir(lockDir);
  return true;
}

/**
 * Removes staging folders beside `lockDir` that a crashed process left behind (a crash between
 * preparing a lock folder and renaming it into place). Only folders whose owner is dead on this
 * host, or whose record (or, without one, the folder) is older than `staleMs`, are removed.
 */
export async function sweepStagingDirs(lockDir: string, staleMs: number): Promise<void> {
  const parent = dirname(lockDir);
  let names: string[];
  try {
    names = await readdir(parent);
  } catch {
    return;
  }
  const staleBefore = Date.now() - staleMs;
  for (const name of names) {
    if (!isStagingNameOf(lockDir, name)) continue;
    const staging = join(parent, name);
    try {
      const entries = await readdir(staging);
      let abandoned = entries.length === 0 && (await stat(staging)).mtimeMs < staleBefore;
      for (const entry of entries) {
        if (!isRecordName(entry)) continue;
        const recordPath = join(staging, entry);
        const [text, { mtimeMs }] = await Promise.all([
          readFile(recordPath, 'utf8'),
          stat(recordPath),
        ]);
        const owner = parseOwnerRecord(text);
        abandoned =
          (owner !== undefined && isLocalOwner(owner) && !isLocalOwnerAlive(owner)) ||
          mtimeMs < staleBefore;
        if (abandoned) await unlink(recordPath);
      }
      if (abandoned) await rmdir(staging);
    } catch {
      // Someone else swept it, or it is not ours to remove: leave it.
    }
  }
}
