import { createHash, randomUUID } from 'node:crypto';
import { lstatSync, readdirSync, unlinkSync } from 'node:fs';
import { lstat, readdir, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { checkNumberOption, checkObjectOption, isProcessAlive } from '@runboard/locking';

/**
 * Matches the name of a runboard temp file: `.<target name>.<pid>.<host tag>.<random>.runboard-tmp`
 * (the target name is cut to 100 characters). File watchers should ignore these.
 */
export const TEMP_FILE_PATTERN = /^\.(.+)\.(\d+)\.([0-9a-f]{8})\.([0-9a-f]{8})\.runboard-tmp$/;

/** Temp files this old are swept even when their writer may be alive (another host, a reused pid). */
export const STALE_TEMP_AGE_MS = 60 * 60 * 1000;

const TARGET_NAME_LIMIT = 100;
const hostTag = createHash('sha256').update(hostname()).digest('hex').slice(0, 8);

/**
 * Whether a file name (or path) is one of runboard's temp files, e.g. to make a watcher ignore them.
 *
 * @example
 * chokidar.watch(root, { ignored: (path) => isTempFileName(path) });
 */
export function isTempFileName(name: string): boolean {
  return TEMP_FILE_PATTERN.test(basename(name));
}

/** A new, unique temp path beside `target`. */
export function tempPathFor(target: string): string {
  const name = basename(target).slice(0, TARGET_NAME_LIMIT);
  // randomUUID draws from a cached entropy pool: ~1 µs, where randomBytes costs ~8 µs.
  const random = randomUUID().slice(0, 8);
  return join(dirname(target), `.${name}.${process.pid}.${hostTag}.${random}.runboard-tmp`);
}

export interface SweepOptions {
  /** Also remove temp files older than this, whoever wrote them. Default {@link STALE_TEMP_AGE_MS}. */
  staleAfterMs?: number;
}

/**
 * Removes orphaned runboard temp files from `dir` (left by a writer that was killed mid-write) and
 * returns their paths. A temp file is orphaned when its writer's pid is gone on this host, or when
 * it is older than `staleAfterMs`. Temp files of live writers are never touched.
 *
 * @example
 * const removed = await sweepTempFiles('runs/exp-1');
 */
export async function sweepTempFiles(dir: string, options: SweepOptions = {}): Promise<string[]> {
  return sweepOrphans(dir, undefined, checkStaleAfter(options));
}

/** Synchronous {@link sweepTempFiles}. */
export function sweepTempFilesSync(dir: string, options: SweepOptions = {}): string[] {
  return sweepOrphansSync(dir, undefined, checkStaleAfter(options));
}

/** Sweeps only the temp files of one target name; missing folders and races are not errors. */
export async function sweepOrphans(
  dir: string,
  targetName: string | undefined,
  staleAfterMs = STALE_TEMP_AGE_MS,
): Promise<string[]> {
  const removed: string[] = [];
  for (const name of await readdir(dir).catch(ignoreMissing)) {
    const verdict = judge(name, targetName);
    if (verdict === 'keep') continue;
    const path = join(dir, name);
    try {
      if (verdict === 'if-stale' && !isStale(await lstat(path), staleAfterMs)) continue;
      await unlink(path);
      removed.push(path);
    } catch (error) {
      ignoreMissing(error);
    }
  }
  return removed;
}

export function sweepOrphansSync(
  dir: string,
  targetName: string | undefined,
  staleAfterMs = STALE_TEMP_AGE_MS,
): string[] {
  const removed: string[] = [];
  let names: string[] = [];
  try {
    names = readdirSync(dir);
  } catch (error) {
    ignoreMissing(error);
  }
  for (const name of names) {
    const verdict = judge(name, targetName);
    if (verdict === 'keep') continue;
    const path = join(dir, name);
    try {
      if (verdict === 'if-stale' && !isStale(lstatSync(path), staleAfterMs)) continue;
      unlinkSync(path);
      removed.push(path);
    } catch (error) {
      ignoreMissing(error);
    }
  }
  return removed;
}

function judge(name: string, targetName: string | undefined): 'keep' | 'remove' | 'if-stale' {
  const match = TEMP_FILE_PATTERN.exec(name);
  if (!match) return 'keep';
  if (targetName !== undefined && match[1] !== targetName.slice(0, TARGET_NAME_LIMIT))
    return 'keep';
  const pid = Number(match[2]);
  if (match[3] !== hostTag) return 'if-stale';
  if (pid === process.pid) return 'keep';
  return isProcessAlive(pid) ? 'if-stale' : 'remove';
}

function isStale(stats: { mtimeMs: number }, staleAfterMs: number): boolean {
  return Date.now() - stats.mtimeMs > staleAfterMs;
}

function ignoreMissing(error: unknown): never[] {
  if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
  throw error;
}

function checkStaleAfter(options: SweepOptions): number {
  const { staleAfterMs = STALE_TEMP_AGE_MS } = checkObjectOption('options', options);
  return checkNumberOption('staleAfterMs', staleAfterMs, { min: 0, allowInfinity: true });
}
