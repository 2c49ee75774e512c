import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import {
  backoffDelay,
  checkNumberOption,
  checkObjectOption,
  checkStringOption,
} from '@runboard/locking';
import pRetry from 'p-retry';
import { JsonNotFoundError, JsonParseError, JsonReadError } from './errors.js';
import type { JsonValidator } from './validator.js';
import { checkValidator, runValidator } from './validator.js';

export interface ReadJsonOptions<T> {
  /** Returned, without retrying, when the file does not exist. Not validated. */
  default?: T;
  /** Checks the parsed value; its failure becomes a `JsonValidationError` (not retried). */
  validate?: JsonValidator<T>;
  /**
   * How long to keep retrying transient failures (an empty or unparsable file, a missing file
   * without `default`) before throwing. `0` tries once.
   * @default 1000
   */
  deadlineMs?: number;
  /** Stops retrying; the promise rejects with the signal's reason. */
  signal?: AbortSignal;
}

export const DEFAULT_READ_DEADLINE_MS = 1000;

/** Backoff between attempts: 1, 2, 4 … 50 ms (randomized ×1–2 by p-retry in the async variant). */
const READ_BACKOFF = { firstMs: 1, maxMs: 50 } as const;

const MISSING = Symbol('missing');

/**
 * Reads and parses a JSON file. Failures that a writer outside runboard can cause for a moment
 * (an empty or half-written file, the file briefly missing while it is replaced) are retried
 * with millisecond backoff until `deadlineMs`, then thrown.
 *
 * @throws {JsonNotFoundError} the file does not exist (and no `default` was given).
 * @throws {JsonParseError} the content stayed invalid JSON until the deadline.
 * @throws {JsonValidationError} `validate` rejected the value.
 * @throws {JsonReadError} reading failed for another reason (EACCES, EISDIR, …).
 * @example
 * const record = await readJson('runs/exp-1/progress.json', { validate: RunRecordSchema });
 * const control = await readJson('runs/exp-1/control.json', { default: {} });
 */
export async function readJson<T = unknown>(
  file: string,
  options: ReadJsonOptions<T> = {},
): Promise<T> {
  const { deadlineMs, hasDefault } = checkOptions(file, options);
  const started = performance.now();
  let value: unknown;
  try {
    value = await readOnceAsync(file, hasDefault);
  } catch (error) {
    // The first attempt runs outside p-retry: that keeps the common case as cheap as readFile.
    const remainingMs = deadlineMs - (performance.now() - started);
    if (!isTransient(error) || remainingMs <= 0) throw error;
    value = await pRetry(() => readOnceAsync(file, hasDefault), {
      retries: Number.POSITIVE_INFINITY,
      minTimeout: READ_BACKOFF.firstMs,
      maxTimeout: READ_BACKOFF.maxMs,
      factor: 2,
      randomize: true,
      maxRetryTime: remainingMs,
      signal: options.signal,
      shouldRetry: ({ error: retryError }) => isTransient(retryError),
    });
  }
  return finish(file, value, options);
}

/**
 * Synchronous {@link readJson}. p-retry is promise-based, so this variant runs its own bounded
 * loop with the same backoff (`backoffDelay`, p-retry's formula, without randomization) and
 * sleeps with `Atomics.wait`, which blocks the thread without spinning the CPU.
 *
 * @example
 * const config = readJsonSync('runboard.json', { default: { concurrency: 1 } });
 */
export function readJsonSync<T = unknown>(file: string, options: ReadJsonOptions<T> = {}): T {
  const { deadlineMs, hasDefault } = checkOptions(file, options);
  const start = performance.now();
  for (let attempt = 0; ; attempt++) {
    try {
      return finish(file, readOnceSync(file, hasDefault), options);
    } catch (error) {
      options.signal?.throwIfAborted();
      const remainingMs = deadlineMs - (performance.now() - start);
      if (!isTransient(error) || remainingMs <= 0) throw error;
      sleepSync(Math.min(backoffDelay(attempt, READ_BACKOFF), remainingMs));
    }
  }
}

async function readOnceAsync(file: string, hasDefault: boolean): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    return missingOrThrow(file, error, hasDefault);
  }
  return parse(file, text);
}

function readOnceSync(file: string, hasDefault: boolean): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    return missingOrThrow(file, error, hasDefault);
  }
  return parse(file, text);
}

function parse(file: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new JsonParseError(file, text, error);
  }
}

function missingOrThrow(file: string, error: unknown, hasDefault: boolean): typeof MISSING {
  if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw new JsonReadError(file, error);
  if (hasDefault) return MISSING;
  throw new JsonNotFoundError(file, error);
}

function finish<T>(file: string, value: unknown, options: ReadJsonOptions<T>): T {
  if (value === MISSING) return options.default as T;
  return runValidator(file, options.validate, value);
}

function isTransient(error: unknown): boolean {
  return error instanceof JsonParseError || error instanceof JsonNotFoundError;
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function checkOptions<T>(file: string, options: ReadJsonOptions<T>) {
  checkStringOption('file', file);
  checkObjectOption('options', options);
  const { deadlineMs = DEFAULT_READ_DEADLINE_MS, validate } = options;
  checkNumberOption('deadlineMs', deadlineMs, { min: 0 });
  checkValidator(validate);
  return { deadlineMs, hasDefault: 'default' in options };
}
