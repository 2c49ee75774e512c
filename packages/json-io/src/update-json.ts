import { resolve } from 'node:path';
import type { Lock, LockOptions } from '@runboard/locking';
import {
  acquireLock,
  checkFunctionOption,
  checkLockOptions,
  checkObjectOption,
  checkStringOption,
  LockAbortError,
  LockTimeoutError,
} from '@runboard/locking';
import { JsonParseError, JsonWriteError } from './errors.js';
import { readJson, readJsonSync } from './read-json.js';
import { serializeJson } from './serialize-json.js';
import type { JsonValidator } from './validator.js';
import { checkValidator, runValidator } from './validator.js';
import type { WriteJsonOptions } from './write-json.js';
import { commitJsonText } from './write-json.js';

export interface UpdateJsonOptions<T> extends WriteJsonOptions {
  /** The value handed to the updater when the file does not exist (a fresh copy each time). */
  default?: T;
  /**
   * Checks the value read from the file before the updater sees it, and the updater's result
   * before it is written; a failure rejects this caller with `JsonValidationError`. What it
   * returns is used (a zod schema that strips unknown keys strips them from the file too).
   */
  validate?: JsonValidator<T>;
  /** Options of the cross-process lock (`stale`, `timeout`, `signal`); see `@runboard/locking`. */
  lock?: LockOptions;
}

/** What an updater gets besides the current value. */
export interface JsonUpdateContext {
  /**
   * The lock's signal: aborted (with a `LockCompromisedError`) if the lock is compromised while
   * the updater runs, for updaters that do slow asynchronous work. The commit is refused anyway.
   */
  signal: AbortSignal;
}

/**
 * Receives the current value (a fresh copy: mutate it freely) and returns the new one, or a
 * promise of it.
 */
export type JsonUpdater<T> = (current: T, context: JsonUpdateContext) => T | PromiseLike<T>;

interface Entry {
  updater: JsonUpdater<unknown>;
  options: UpdateJsonOptions<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
  /** Stops this caller's lock timeout and abort listener. */
  stopWaiting: () => void;
}

type Result = { value: unknown } | { error: unknown };

interface FileUpdates {
  /** Callers that have not been taken into a batch yet, in call order. */
  pending: Entry[];
  /** Aborts the lock acquisition when every pending caller gave up waiting. */
  acquiring?: AbortController;
  draining: boolean;
  /** Resolves once the callers of every batch committed so far have settled (in batch order). */
  settled: Promise<void>;
}

const updatesByFile = new Map<string, FileUpdates>();

/**
 * Read-modify-write of a JSON file under a cross-process lock, so that no update is lost: locks
 * `file`, reads it (a missing file gives `options.default`, else `undefined`), runs `updater`
 * (sync or async), writes the result atomically, releases the lock, and resolves with the value
 * written once it is durable. A missing file is created exclusively: if a writer that takes no
 * lock (`createJson`) creates it meanwhile, the updater runs again on what that writer wrote.
 *
 * Concurrent calls for one file in one process are committed together (group commit): applied
 * in call order under one lock hold, with one durable write. Each caller still gets its own
 * result or error: an updater that throws (or returns a value JSON cannot hold, or that fails
 * `validate`) rejects only its caller, and its change is not applied.
 *
 * If the lock was compromised before the commit (say the event loop stalled past `stale`, so
 * another process may have taken over), nothing is written and the callers reject with
 * `LockCompromisedError` (`ECOMPROMISED`): a stall can fail an update but never lose someone
 * else's. Waiting for the lock rejects with `LockTimeoutError` (`ELOCKED`) after
 * `options.lock.timeout` and with `LockAbortError` when `options.lock.signal` aborts.
 *
 * Do not call `updateJson` for the same file from inside an updater: it would wait for itself.
 *
 * @example
 * ```ts
 * const record = await updateJson<RunRecord>('runs/a/progress.json', (record) => ({
 *   ...record,
 *   status: 'running',
 *   heartbeatAt: new Date().toISOString(),
 * }));
 *
 * const count = await updateJson('counter.json', (n) => n + 1, { default: 0 });
 * ```
 */
export function updateJson<T>(
  file: string,
  updater: JsonUpdater<T>,
  options: UpdateJsonOptions<T> & { default: T },
): Promise<T>;
export function updateJson<T>(
  file: string,
  updater: JsonUpdater<T | undefined>,
  options?: UpdateJsonOptions<T>,
): Promise<T>;
export function updateJson(
  file: string,
  updater: JsonUpdater<unknown>,
  options: UpdateJsonOptions<unknown> = {},
): Promise<unknown> {
  let lockTimeoutMs: number;
  try {
    lockTimeoutMs = checkArguments(file, updater, options);
  } catch (error) {
    return Promise.reject(error);
  }
  const key = resolve(file);
  let updates = updatesByFile.get(key);
  if (!updates) {
    updates = { pending: [], draining: false, settled: Promise.resolve() };
    updatesByFile.set(key, updates);
  }
  const queue = updates;
  const promise = new Promise<unknown>((resolvePromise, rejectPromise) => {
    const entry: Entry = {
      updater,
      options,
      resolve: resolvePromise,
      reject: rejectPromise,
      stopWaiting: () => {},
    };
    const giveUp = (error: Error) => {
      const index = queue.pending.indexOf(entry);
      if (index === -1) return;
      queue.pending.splice(index, 1);
      entry.stopWaiting();
      rejectPromise(error);
      if (queue.pending.length === 0) queue.acquiring?.abort();
    };
    const signal = options.lock?.signal;
    const onAbort = () => giveUp(new LockAbortError(key, signal?.reason));
    const timer = Number.isFinite(lockTimeoutMs)
      ? setTimeout(() => giveUp(new LockTimeoutError(key, lockTimeoutMs)), lockTimeoutMs)
      : undefined;
    signal?.addEventListener('abort', onAbort, { once: true });
    entry.stopWaiting = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    };
    queue.pending.push(entry);
    if (signal?.aborted) onAbort();
  });
  if (!queue.draining) void drain(key, queue);
  return promise;
}

async function drain(key: string, updates: FileUpdates): Promise<void> {
  updates.draining = true;
  try {
    while (updates.pending.length > 0) {
      const acquiring = new AbortController();
      updates.acquiring = acquiring;
      const first = updates.pending[0] as Entry;
      let lock: Lock;
      try {
        // Each caller keeps its own timeout and signal (above); the shared wait ends when the
        // lock is ours or when every caller has given up.
        lock = await acquireLock(key, {
          stale: first.options.lock?.stale,
          timeout: Infinity,
          signal: acquiring.signal,
        });
      } catch (error) {
        if (!acquiring.signal.aborted) rejectAll(updates.pending.splice(0), error);
        continue;
      } finally {
        updates.acquiring = undefined;
      }
      const batch = updates.pending.splice(0);
      for (const entry of batch) entry.stopWaiting();
      if (batch.length === 0) {
        await lock.release().catch(() => {});
        continue;
      }
      // The next batch may take the lock while this one's folder fsync is still running.
      const { released, settled } = commitBatch(key, lock, batch, updates.settled);
      updates.settled = settled;
      await released;
    }
  } finally {
    updates.draining = false;
    if (updates.pending.length > 0) void drain(key, updates);
    else {
      const last = updates.settled;
      void last.then(() => forget(key, updates, last));
    }
  }
}

/**
 * Drops an idle queue once its last callers have settled, unless a later drain committed more
 * batches meanwhile (their callers must still settle after these, in order).
 */
function forget(key: string, updates: FileUpdates, last: Promise<void>): void {
  const idle = !updates.draining && updates.pending.length === 0 && updates.settled === last;
  if (idle && updatesByFile.get(key) === updates) updatesByFile.delete(key);
}

function rejectAll(entries: Entry[], error: unknown): void {
  for (const entry of entries) {
    entry.stopWaiting();
    entry.reject(error);
  }
}

const MISSING = Symbol('missing');

/**
 * Reads once, applies each caller's updater in order, writes once. The lock is released as soon
 * as the new content is in place (`released`), before the folder's fsync: the content is visible
 * then anyway, and any later value is derived from it. Callers settle once the write is durable
 * and the callers of `earlier` batches have settled (`settled`, which never rejects), so a
 * settled caller never sees the lock still held.
 */
function commitBatch(
  file: string,
  lock: Lock,
  batch: Entry[],
  earlier: Promise<void>,
): { released: Promise<void>; settled: Promise<void> } {
  let markReleased!: (releasing: Promise<void>) => void;
  const released = new Promise<void>((resolve) => (markReleased = resolve));
  let releasing: Promise<void> | undefined;
  const release = (): Promise<void> => {
    releasing ??= lock.release().catch((error: unknown) => {
      process.emitWarning(`updateJson: could not release the lock on ${file}: ${String(error)}`);
    });
    markReleased(releasing);
    return releasing;
  };
  const settled = (async () => {
    const results = await writeBatch(file, lock, batch, release);
    await release();
    await earlier;
    for (const entry of batch) {
      const result = results.get(entry) as Result;
      if ('value' in result) entry.resolve(result.value);
      else entry.reject(result.error);
    }
  })();
  return { released, settled };
}

/** How often a batch is applied again when its file appeared (created without the lock) meanwhile. */
const MAX_BATCH_ATTEMPTS = 3;

/**
 * The batch's work under the lock; never rejects: every caller's outcome is in the result. A file
 * that was missing is created exclusively, so that a file created meanwhile without the lock (by
 * `createJson`) is never replaced: the batch then reads it and applies its updaters again.
 */
async function writeBatch(
  file: string,
  lock: Lock,
  batch: Entry[],
  release: () => void,
): Promise<Map<Entry, Result>> {
  for (let attempt = 1; ; attempt++) {
    const results = new Map<Entry, Result>();
    let creating = false;
    try {
      const onDisk = await readUnderLock(file);
      creating = onDisk === MISSING;
      // The latest accepted value, serialized: each updater gets a fresh copy of it.
      let currentText: string | undefined;
      for (const entry of batch) {
        try {
          const fromDefault = currentText === undefined && onDisk === MISSING;
          let input: unknown;
          if (currentText !== undefined) input = JSON.parse(currentText);
          else if (fromDefault) input = structuredClone(entry.options.default);
          // A copy unless this is the only caller: an updater that mutates and throws changes nothing.
          else input = batch.length > 1 ? structuredClone(onDisk) : onDisk;
          const value = await applyUpdate(file, entry, lock.signal, input, !fromDefault);
          const { space = 2, nonFinite = 'error' } = entry.options;
          currentText = serializeJson(file, value, { space, nonFinite });
          results.set(entry, { value });
        } catch (error) {
          results.set(entry, { error });
        }
      }
      if (currentText !== undefined) {
        const durable = batch.some(
          (entry) => 'value' in (results.get(entry) ?? {}) && entry.options.durable !== false,
        );
        // The commit point: refuse to write unless the lock is still surely ours, checked on disk
        // first and once more, synchronously, right before the rename.
        await lock.verify();
        await commitJsonText(file, currentText, {
          durable,
          exclusive: creating,
          beforeRename: () => lock.throwIfCompromised(),
          afterRename: release,
        });
      }
      return results;
    } catch (error) {
      const appeared = creating && error instanceof JsonWriteError && error.systemCode === 'EEXIST';
      if (appeared && attempt < MAX_BATCH_ATTEMPTS) continue;
      // Nothing was written (or its durability is unknown): every caller not already failed by
      // its own updater fails with this.
      for (const entry of batch) {
        if (!results.has(entry) || 'value' in (results.get(entry) ?? {}))
          results.set(entry, { error });
      }
      return results;
    }
  }
}

/**
 * Under the lock the file is normally whole: one synchronous attempt saves the thread-pool
 * round trips; a file caught mid-write by a writer outside the lock gets readJson's retries.
 */
async function readUnderLock(file: string): Promise<unknown> {
  try {
    return readJsonSync<unknown>(file, { default: MISSING, deadlineMs: 0 });
  } catch (error) {
    if (!(error instanceof JsonParseError)) throw error;
    return readJson<unknown>(file, { default: MISSING });
  }
}

/** Runs one caller's updater; `validate` checks its input (unless it is `default`) and result. */
async function applyUpdate(
  file: string,
  entry: Entry,
  signal: AbortSignal,
  input: unknown,
  validateInput: boolean,
): Promise<unknown> {
  const { validate } = entry.options;
  const checked = validateInput ? runValidator(file, validate, input) : input;
  return runValidator(file, validate, await entry.updater(checked, { signal }));
}

/** Validates the arguments early; returns the lock timeout in milliseconds. */
function checkArguments(file: unknown, updater: unknown, options: unknown): number {
  checkStringOption('file', file);
  checkFunctionOption('updater', updater);
  const { lock = {}, validate } = checkObjectOption(
    'options',
    options,
  ) as UpdateJsonOptions<unknown>;
  const { timeoutMs } = checkLockOptions('lock', lock);
  checkValidator(validate);
  return timeoutMs;
}
