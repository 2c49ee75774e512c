import { join } from 'node:path';
import {
  createJson,
  JsonValidationError,
  JsonWriteError,
  readJson,
  updateJson,
} from '@runboard/json-io';
import { RUN_FILES } from './run-files.js';
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
