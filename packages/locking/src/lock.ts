import { statSync } from 'node:fs';
import { LockCompromisedError, LockReleasedError } from './errors.js';
import type { LockFiles } from './lock-files.js';
import type { LockOwner } from './owner.js';

/**
 * A held lock. Release it exactly once, in a `finally` (or use {@link withLock}).
 *
 * Before an irreversible step that relies on exclusivity (a commit), call
 * {@link Lock.verify} (or the synchronous {@link Lock.throwIfCompromised}); hand
 * {@link Lock.signal} to long-running work so it stops when the lock is compromised.
 */
export interface Lock {
  /** The canonical path of the locked file. */
  readonly file: string;
  /** The lock folder, `<file>.lock`. */
  readonly lockDir: string;
  /** This owner's record (pid, host, process start time, token). */
  readonly owner: Readonly<LockOwner>;
  /** Aborted, with a `LockCompromisedError` as its reason, once the lock is compromised. */
  readonly signal: AbortSignal;
  /** Whether the lock is compromised (see `LockCompromisedError`). */
  readonly compromised: boolean;
  /** Whether `release()` was called. */
  readonly released: boolean;
  /**
   * Throws `LockCompromisedError` if the lock is compromised, including when its last refresh is
   * too old to be sure that no other process may take it over (a stalled event loop); throws
   * `LockReleasedError` after `release()`. Synchronous and free of I/O.
   */
  throwIfCompromised(): void;
  /**
   * Like {@link Lock.throwIfCompromised}, and also confirms on disk that this owner's record is
   * still in the lock folder.
   */
  verify(): Promise<void>;
  /**
   * Releases the lock and removes its folder. Idempotent; never throws because the lock was
   * compromised (then it removes nothing that belongs to another owner).
   */
  release(): Promise<void>;
}

export interface HeldLockParts {
  file: string;
  owner: LockOwner;
  files: LockFiles;
  trustMs: number;
  releaseUpstream: () => Promise<void>;
  leaveLocalQueue: () => void;
}

/** The {@link Lock} implementation; {@link LockFiles} knows when the record was last refreshed. */
export class HeldLock implements Lock {
  readonly file: string;
  readonly owner: LockOwner;
  readonly #files: LockFiles;
  readonly #trustMs: number;
  readonly #controller = new AbortController();
  #releaseUpstream: (() => Promise<void>) | undefined;
  #leaveLocalQueue: (() => void) | undefined;
  #releasing: Promise<void> | undefined;

  constructor(parts: HeldLockParts) {
    this.file = parts.file;
    this.owner = parts.owner;
    this.#files = parts.files;
    this.#trustMs = parts.trustMs;
    this.#releaseUpstream = parts.releaseUpstream;
    this.#leaveLocalQueue = parts.leaveLocalQueue;
  }

  get lockDir(): string {
    return this.#files.lockDir;
  }

  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  get compromised(): boolean {
    return this.#controller.signal.aborted;
  }

  get released(): boolean {
    return this.#releasing !== undefined;
  }

  throwIfCompromised(): void {
    if (this.released) throw new LockReleasedError(this.file);
    this.#checkTrust();
    if (this.compromised) throw this.signal.reason;
  }

  /**
   * For proper-lockfile's refresh: refuses it (with an `ECOMPROMISED` error) once the lock is
   * compromised, so that a stalled owner never revives a lock that others may have taken over.
   */
  refuseRefresh(): Error | undefined {
    this.#checkTrust();
    if (!this.compromised) return undefined;
    return Object.assign(new Error('Lock is compromised'), { code: 'ECOMPROMISED' });
  }

  /** Marks the lock compromised once its last refresh is older than the trust window. */
  #checkTrust(): void {
    const age = Date.now() - this.#files.refreshedAt;
    if (age <= this.#trustMs) return;
    const error = this.#files.refreshError;
    if (error) this.markCompromised(`not refreshed for ${age} ms: ${error.message}`, error);
    else this.markCompromised(`not refreshed for ${age} ms (the event loop or process stalled)`);
  }

  async verify(): Promise<void> {
    this.throwIfCompromised();
    try {
      // Synchronous: a stat costs ~4 µs, a thread-pool round trip ~25 µs.
      statSync(this.#files.recordPath);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      this.markCompromised('its owner record was removed (taken over)', error);
    }
    this.throwIfCompromised();
  }

  markCompromised(reason: string, cause?: unknown): void {
    if (this.compromised || this.released) return;
    this.#controller.abort(
      new LockCompromisedError(this.file, reason, cause === undefined ? undefined : { cause }),
    );
  }

  release(): Promise<void> {
    this.#releasing ??= this.#release();
    return this.#releasing;
  }

  async #release(): Promise<void> {
    const releaseUpstream = this.#releaseUpstream;
    this.#releaseUpstream = undefined;
    try {
      // proper-lockfile stops refreshing and calls our rmdir (which removes only our own record);
      // after a compromise it has already let go and answers ERELEASED.
      await releaseUpstream?.().catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'ERELEASED' && error.code !== 'ENOTACQUIRED') throw error;
      });
    } finally {
      try {
        this.#files.removeOwnRecord();
      } finally {
        this.#leaveLocalQueue?.();
        this.#leaveLocalQueue = undefined;
      }
    }
  }
}
