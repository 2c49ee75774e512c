import type { NoParamCallback, Stats } from 'node:fs';
import fs from 'node:fs';
import { join } from 'node:path';
import { LockIoError } from './errors.js';
import { lockTargetOf, recordNameFor, stagingDirFor } from './lock-paths.js';
import type { LockOwner } from './owner.js';

type StatCallback = (error: NodeJS.ErrnoException | null, stats?: Stats) => void;

function lockedError(lockDir: string): NodeJS.ErrnoException {
  return Object.assign(new Error('Lock file is already being held'), {
    code: 'ELOCKED',
    file: lockDir,
  });
}

function ignoreCodes(
  error: NodeJS.ErrnoException | null,
  ...codes: string[]
): NodeJS.ErrnoException | null {
  return error && codes.includes(error.code ?? '') ? null : error;
}

export interface LockFilesHooks {
  /** A refresh is about to happen; return an error to refuse it (the lock is compromised). */
  beforeRefresh(): Error | undefined;
}

/**
 * A copy of `error` for proper-lockfile, which recodes the errors it is given (`ECOMPROMISED`):
 * the original stays intact as {@link LockFiles.refreshError}.
 */
function upstreamCopy(error: NodeJS.ErrnoException): NodeJS.ErrnoException {
  return Object.assign(new Error(error.message, { cause: error }), { code: error.code });
}

/**
 * The file system that proper-lockfile sees for one lock (its `fs` option). It turns
 * proper-lockfile's three mechanics into runboard's protocol:
 *
 * - `mkdir(<file>.lock)` prepares a staging folder holding the owner record and renames it into
 *   place, so a lock folder never exists without its record. A rename onto an existing non-empty
 *   folder fails; that failure is reported as `ELOCKED` (not `EEXIST`), so proper-lockfile's own
 *   stat→rmdir→mkdir stale takeover, which can crown two owners (its issue #121), never runs.
 * - `stat`/`utimes` of the lock folder (the liveness refresh) act on the owner's record instead:
 *   the path names this owner's token, so a refresh can never touch a lock that replaced ours, and
 *   a record removed by a takeover makes the refresh fail, which marks the lock compromised.
 * - `rmdir` (release, and proper-lockfile's exit handler) first unlinks this owner's record, then
 *   removes the folder only if that unlink succeeded.
 *
 * These steps on the lock folder run synchronously (their callbacks still come asynchronously):
 * each is a metadata update of a few microseconds on a local disk, where a thread-pool round trip
 * costs ~25 µs, so a lock + release takes about a third of the time.
 *
 * This depends on the order of proper-lockfile's calls, hence its exact version pin and the
 * test of its call sequence (`lock-files.test.ts`; see the README, "Why a custom `fs`").
 */
export class LockFiles {
  readonly lockDir: string;
  readonly recordPath: string;
  readonly #stagingDir: string;
  readonly #recordName: string;
  readonly #recordText: string;
  readonly #hooks: LockFilesHooks;
  /** Whether our record is in the lock folder (as far as we know). */
  #held = false;
  #refreshedAt = 0;
  #refreshError: NodeJS.ErrnoException | undefined;

  constructor(lockDir: string, owner: LockOwner, hooks: LockFilesHooks) {
    this.lockDir = lockDir;
    this.#recordName = recordNameFor(owner.token);
    this.recordPath = join(lockDir, this.#recordName);
    this.#stagingDir = stagingDirFor(lockDir, owner.token);
    this.#recordText = `${JSON.stringify(owner, null, 2)}\n`;
    this.#hooks = hooks;
  }

  get held(): boolean {
    return this.#held;
  }

  /** When the record was created or last refreshed (when that step started), in ms. */
  get refreshedAt(): number {
    return this.#refreshedAt;
  }

  /** Why the last refresh of the record failed (an I/O error), until one succeeds. */
  get refreshError(): NodeJS.ErrnoException | undefined {
    return this.#refreshError;
  }

  readonly mkdir = (path: string, callback: NoParamCallback): void => {
    if (path !== this.lockDir) return fs.mkdir(path, callback);
    const startedAt = Date.now();
    const error = attempt(() => this.#createSync());
    if (!error) {
      this.#held = true;
      this.#refreshedAt = startedAt;
    }
    process.nextTick(callback, error);
  };

  #createSync(): void {
    const staging = this.#stagingDir;
    const stagedRecord = join(staging, this.#recordName);
    try {
      fs.mkdirSync(staging);
    } catch (error) {
      throw this.#ioError('take', error);
    }
    try {
      fs.writeFileSync(stagedRecord, this.#recordText, { flag: 'wx' });
      fs.renameSync(staging, this.lockDir);
    } catch (error) {
      attempt(() => fs.unlinkSync(stagedRecord));
      attempt(() => fs.rmdirSync(staging));
      const code = (error as NodeJS.ErrnoException).code;
      // ENOTDIR: `<file>.lock` is not a folder, another program's lock file (waited for).
      throw code === 'ENOTEMPTY' || code === 'EEXIST' || code === 'ENOTDIR'
        ? lockedError(this.lockDir)
        : this.#ioError('take', error);
    }
  }

  /** An I/O error (ENOSPC, EIO, …) on the lock's files, named by the lock folder. */
  #ioError(action: string, error: unknown): LockIoError {
    return new LockIoError(lockTargetOf(this.lockDir), this.lockDir, action, error);
  }

  readonly stat = (path: string, callback: StatCallback): void => {
    if (!this.#held || path !== this.lockDir) return fs.stat(path, callback);
    let stats: Stats | undefined;
    const error = attempt(() => {
      stats = fs.statSync(this.recordPath);
    });
    if (error) this.#refreshError = error;
    process.nextTick(callback, error && upstreamCopy(error), stats);
  };

  readonly utimes = (path: string, atime: Date, mtime: Date, callback: NoParamCallback): void => {
    if (!this.#held || path !== this.lockDir) return fs.utimes(path, atime, mtime, callback);
    const refused = this.#hooks.beforeRefresh();
    if (refused) return process.nextTick(callback, refused);
    const startedAt = Date.now();
    const error = attempt(() => fs.utimesSync(this.recordPath, atime, mtime));
    if (error) this.#refreshError = error;
    else {
      this.#refreshedAt = startedAt;
      this.#refreshError = undefined;
    }
    process.nextTick(callback, error && upstreamCopy(error));
  };

  readonly rmdir = (path: string, callback: NoParamCallback): void => {
    if (path !== this.lockDir) return fs.rmdir(path, callback);
    process.nextTick(
      callback,
      attempt(() => this.removeOwnRecord()),
    );
  };

  readonly rmdirSync = (path: string): void => {
    if (path !== this.lockDir) return fs.rmdirSync(path);
    this.removeOwnRecord();
  };

  /**
   * Unlinks our record and, only if it was still ours to unlink, the then empty folder. Safe at
   * any time: a folder that another owner has since renamed into place is not empty.
   */
  removeOwnRecord(): void {
    if (!this.#held) return;
    this.#held = false;
    try {
      fs.unlinkSync(this.recordPath);
    } catch (error) {
      if (ignoreCodes(error as NodeJS.ErrnoException, 'ENOENT'))
        throw this.#ioError('release', error);
      return;
    }
    try {
      fs.rmdirSync(this.lockDir);
    } catch (error) {
      if (ignoreCodes(error as NodeJS.ErrnoException, 'ENOENT', 'ENOTEMPTY', 'EEXIST'))
        throw this.#ioError('release', error);
    }
  }
}

/** Runs `step`, returning what it threw (proper-lockfile expects errors in callbacks). */
function attempt(step: () => void): NodeJS.ErrnoException | null {
  try {
    step();
    return null;
  } catch (error) {
    return error as NodeJS.ErrnoException;
  }
}
