import { join } from 'node:path';
import {
  createJson,
  JsonNotFoundError,
  JsonValidationError,
  JsonWriteError,
  readJson,
  updateJson,
} from '@runboard/json-io';
import { z } from 'zod';
import { RUN_FILES, type AttemptOutcome } from './run-files.js';
import type { RunRecord } from './run-record.js';
import { runRecordSchema } from './run-record.js';
import { InvalidRunRecordError } from '../supervisor/errors.js';

/**
 * The record file of a run folder.
 *
 * @example
 * recordFile('/logs/cdd/run_2'); // '/logs/cdd/run_2/progress.json'
 */
export function recordFile(runDir: string): string {
  return join(runDir, RUN_FILES.progress);
}

/**
 * The run's record, or `undefined` when there is none yet.
 *
 * @example
 * const record = await readRunRecord(resolveRunDir('logs', 'cdd/run_2'));
 * if (record && isTerminalStatus(record.status)) console.log(record.status);
 *
 * @throws {InvalidRunRecordError} when `progress.json` is not a valid run record.
 */
export async function readRunRecord(runDir: string): Promise<RunRecord | undefined> {
  const file = recordFile(runDir);
  try {
    const record = await readJson<RunRecord | null>(file, {
      default: null,
      validate: runRecordSchema,
    });
    return record ?? undefined;
  } catch (error) {
    if (error instanceof JsonValidationError) throw new InvalidRunRecordError(file, error);
    throw error;
  }
}

/**
 * Creates a run's first record without taking its lock: an exclusive create (`createJson`)
 * never replaces a record that exists, so it needs no compare-and-set. Resolves false when a
 * record exists already, or when the write failed (say, a file system without hard links):
 * then {@link updateRunRecord} decides, under the lock.
 *
 * @example
 * if (!(await createRunRecord(runDir, record, { durable: false }))) {
 *   await updateRunRecord(runDir, (current) => (current === undefined ? record : undefined));
 * }
 */
export async function createRunRecord(
  runDir: string,
  record: RunRecord,
  options: { durable?: boolean } = {},
): Promise<boolean> {
  try {
    await createJson(recordFile(runDir), record, { durable: options.durable });
    return true;
  } catch (error) {
    if (error instanceof JsonWriteError) return false;
    throw error;
  }
}

/** Thrown inside an update to leave the file as it is. */
const UNCHANGED = Symbol('unchanged');

/**
 * Compare-and-set on a run's record under its lock: `decide` sees the current record
 * (`undefined` when none) and returns the next one, or `undefined` to leave the file untouched.
 * Resolves with whether it wrote, and the record as it now is.
 *
 * @example
 * await updateRunRecord(runDir, (current) => (current?.status === 'queued' ? { ...current, status: 'cancelled' } : undefined));
 */
export async function updateRunRecord(
  runDir: string,
  decide: (current: RunRecord | undefined) => RunRecord | undefined,
  options: { durable?: boolean } = {},
): Promise<{ changed: boolean; record: RunRecord | undefined }> {
  const file = recordFile(runDir);
  let seen: RunRecord | undefined;
  try {
    const written = await updateJson<RunRecord | null>(
      file,
      (current) => {
        if (current !== null && current !== undefined) {
          const parsed = runRecordSchema.safeParse(current);
          if (!parsed.success) throw new InvalidRunRecordError(file, parsed.error);
          seen = parsed.data;
        }
        const next = decide(seen);
        if (next === undefined) throw UNCHANGED;
        return next;
      },
      { default: null, durable: options.durable },
    );
    return { changed: true, record: written ?? undefined };
  } catch (error) {
    if (isUnchanged(error)) return { changed: false, record: seen };
    throw error;
  }
}

function isUnchanged(error: unknown): boolean {
  for (let current = error, depth = 0; current !== undefined && depth < 5; depth++) {
    if (current === UNCHANGED) return true;
    current = current instanceof Error ? current.cause : undefined;
  }
  return false;
}

/**
 * What {@link tryReadRunRecord} found in a run folder. An `unreadable` one carries json-io's
 * typed error as thrown (its `code` kept: `RUNBOARD_JSON_PARSE`, `RUNBOARD_JSON_VALIDATION` …).
 */
export type RunRecordReadResult =
  | { kind: 'record'; record: RunRecord }
  | { kind: 'missing' }
  | { kind: 'unreadable'; error: unknown };

/**
 * The run's record for a reader of many runs that must not stop at one bad file (the
 * dashboard): never rejects. A file that is empty, half-written or briefly missing is retried
 * until `deadlineMs` (`readJson`'s retries, default 1000 ms); then it is `missing`, or
 * `unreadable` with the error.
 *
 * @example
 * const result = await tryReadRunRecord('/logs/cdd/run_2', { deadlineMs: 500 });
 * if (result.kind === 'record') console.log(result.record.status);
 * else if (result.kind === 'unreadable') console.warn(result.error);
 */
export async function tryReadRunRecord(
  runDir: string,
  options: { deadlineMs?: number } = {},
): Promise<RunRecordReadResult> {
  try {
    const record = await readJson(recordFile(runDir), {
      validate: runRecordSchema,
      deadlineMs: options.deadlineMs,
    });
    return { kind: 'record', record };
  } catch (error) {
    return error instanceof JsonNotFoundError ? { kind: 'missing' } : { kind: 'unreadable', error };
  }
}

const attemptOutcomeSchema = z.looseObject({
  schemaVersion: z.literal(1),
  attempt: z.number().int().nonnegative(),
  supervisorPid: z.number().int().positive(),
  host: z.string(),
  status: z.enum(['running', 'succeeded', 'failed', 'cancelled']),
  exitCode: z.number().int().nullable(),
  signal: z.string().nullable(),
  error: z.string().nullable(),
  finishedAt: z.iso.datetime({ offset: true }).nullable(),
  updatedAt: z.iso.datetime({ offset: true }),
  recordError: z.string().nullable(),
});

/**
 * The outcome the run's latest supervisor left in `outcome.json` ({@link AttemptOutcome}), or
 * `undefined` when there is none (no file, a file prepared but not written yet, or content
 * that is not an outcome). It belongs to the attempt and supervisor it names: compare both
 * with the record before using it.
 *
 * @example
 * const outcome = await readAttemptOutcome(runDir);
 * if (outcome?.attempt === record.attempt && outcome.supervisorPid === record.supervisorPid && outcome.status !== 'running') {
 *   // the job ended as `outcome.status`, though progress.json does not say so yet
 * }
 */
export async function readAttemptOutcome(runDir: string): Promise<AttemptOutcome | undefined> {
  const value = await readJson<unknown>(join(runDir, RUN_FILES.outcome), {
    default: null,
    deadlineMs: 200,
  }).catch(() => null);
  const parsed = attemptOutcomeSchema.safeParse(value);
  return parsed.success ? (parsed.data as AttemptOutcome) : undefined;
}
