import { RunboardFileError } from './runboard-error.js';

/**
 * The stable `code` of every error this package throws. `ELOCKED`, `ECOMPROMISED` and
 * `ERELEASED` are proper-lockfile's own codes; `ABORT_ERR` is Node's code for an aborted
 * operation; `RUNBOARD_LOCK_IO` a failed file-system step on the lock's own files.
 */
export const LOCK_ERROR_CODES = {
  locked: 'ELOCKED',
  compromised: 'ECOMPROMISED',
  released: 'ERELEASED',
  aborted: 'ABORT_ERR',
  io: 'RUNBOARD_LOCK_IO',
} as const;

export type LockErrorCode = (typeof LOCK_ERROR_CODES)[keyof typeof LOCK_ERROR_CODES];

/** Base class of the errors this package throws; `file` is the file the lock protects. */
export abstract class LockError extends RunboardFileError<LockErrorCode> {}

/**
 * The lock was not acquired within `timeout` (code `ELOCKED`, as in proper-lockfile). `holder`
 * (also in the message) says what held it when that is known: the owner's pid and host, or a
 * lock file or folder of another program at `<file>.lock`.
 *
 * @example
 * ```ts
 * try {
 *   await acquireLock('progress.json', { timeout: 1_000 });
 * } catch (error) {
 *   if (error instanceof LockTimeoutError) console.error(`busy: ${error.file}`);
 *   else throw error;
 * }
 * ```
 */
export class LockTimeoutError extends LockError {
  declare readonly code: typeof LOCK_ERROR_CODES.locked;
  /** How long the caller waited, in milliseconds. */
  readonly timeoutMs: number;
  /** What held the lock at the last look, when known. */
  readonly holder: string | undefined;

  constructor(
    file: string,
    timeoutMs: number,
    options: ErrorOptions & { holder?: string | undefined } = {},
  ) {
    const { holder, ...errorOptions } = options;
    super(
      LOCK_ERROR_CODES.locked,
      file,
      `Lock on ${file} is held by another owner; gave up after ${timeoutMs} ms${holder ? `: ${holder}` : ''}`,
      errorOptions,
    );
    this.timeoutMs = timeoutMs;
    this.holder = holder;
  }
}

/**
 * The lock can no longer be trusted to be exclusive (code `ECOMPROMISED`): it was not refreshed
 * in time (a stalled event loop, a suspended process), or another process took it over, or its
 * files were removed. `lock.signal` aborts with this error as its reason.
 */
export class LockCompromisedError extends LockError {
  declare readonly code: typeof LOCK_ERROR_CODES.compromised;

  constructor(file: string, reason: string, options?: ErrorOptions) {
    super(
      LOCK_ERROR_CODES.compromised,
      file,
      `Lock on ${file} was compromised: ${reason}`,
      options,
    );
  }
}

/** The lock was used after `release()` (code `ERELEASED`, as in proper-lockfile). */
export class LockReleasedError extends LockError {
  declare readonly code: typeof LOCK_ERROR_CODES.released;

  constructor(file: string) {
    super(LOCK_ERROR_CODES.released, file, `Lock on ${file} was already released`);
  }
}

/**
 * Waiting for the lock was aborted through `options.signal` (code `ABORT_ERR`, name
 * `AbortError` like Node's own abort errors); `cause` is the signal's reason.
 */
export class LockAbortError extends LockError {
  override readonly name = 'AbortError';
  declare readonly code: typeof LOCK_ERROR_CODES.aborted;

  constructor(file: string, reason: unknown) {
    super(LOCK_ERROR_CODES.aborted, file, `Waiting for the lock on ${file} was aborted`, {
      cause: reason,
    });
  }
}

/**
 * A file-system step on the lock's own files failed (code `RUNBOARD_LOCK_IO`): a full disk, a
 * read-only or failing file system. `lockDir` names the lock folder, `systemCode` keeps the
 * errno code (`ENOSPC`, `EROFS`, `EIO`, …), `syscall` the step, and `cause` the original error.
 *
 * @example
 * ```ts
 * try {
 *   await acquireLock('runs/a/progress.json');
 * } catch (error) {
 *   if (error instanceof LockIoError && error.systemCode === 'ENOSPC') console.error(`disk full at ${error.lockDir}`);
 *   else throw error;
 * }
 * ```
 */
export class LockIoError extends LockError {
  declare readonly code: typeof LOCK_ERROR_CODES.io;
  readonly lockDir: string;
  readonly systemCode: string | undefined;
  readonly syscall: string | undefined;

  /** `action`: what failed, as in "Could not take the lock …" (`take`, `release`). */
  constructor(file: string, lockDir: string, action: string, cause: unknown) {
    const { code, syscall, message } = (cause ?? {}) as Partial<NodeJS.ErrnoException>;
    super(
      LOCK_ERROR_CODES.io,
      file,
      `Could not ${action} the lock ${lockDir}: ${message ?? String(cause)}`,
      { cause },
    );
    this.lockDir = lockDir;
    this.systemCode = typeof code === 'string' ? code : undefined;
    this.syscall = typeof syscall === 'string' ? syscall : undefined;
  }
}
