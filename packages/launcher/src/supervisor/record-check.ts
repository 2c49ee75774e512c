// The supervisor checks records and control requests by hand instead of with the format's zod
// schemas: zod alone adds ~12 MB to every supervisor process, a fifth of its memory budget
// (≤ 60 MB per run). Only the fields the supervisor decides on are checked; the rest is kept
// as it is. `record-check.test.ts` holds these checks to the schemas.
import { join } from 'node:path';
import { readJson } from '@runboard/json-io';
import type { ControlRequest } from '../run-folder/control-request.js';
import type { RunRecord } from '../run-folder/run-record.js';
import { RUN_FILES } from '../run-folder/run-files.js';
import { RUN_STATUSES } from '../run-folder/run-status.js';
import { InvalidRunRecordError } from './errors.js';

/** The record schema version the supervisor writes (the format's `RUN_RECORD_SCHEMA_VERSION`). */
export const SUPERVISOR_RECORD_SCHEMA_VERSION = 1;

/**
 * `value` as a run record, when the fields the supervisor relies on are well-formed
 * (`schemaVersion`, `id`, `status`, `attempt`, `command`, `supervisorPid`).
 *
 * @throws {InvalidRunRecordError} otherwise; the supervisor then leaves the file alone.
 */
export function checkRunRecord(file: string, value: unknown): RunRecord {
  const problem = recordProblem(value);
  if (problem) throw new InvalidRunRecordError(file, new TypeError(problem));
  return value as RunRecord;
}

function recordProblem(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return 'not an object';
  const record = value as Record<string, unknown>;
  if (record.schemaVersion !== SUPERVISOR_RECORD_SCHEMA_VERSION)
    return `schemaVersion is not ${SUPERVISOR_RECORD_SCHEMA_VERSION}`;
  if (typeof record.id !== 'string' || record.id === '') return 'id is not a non-empty string';
  if (!(RUN_STATUSES as readonly unknown[]).includes(record.status))
    return 'status is not a run status';
  if (!Number.isInteger(record.attempt) || (record.attempt as number) < 0)
    return 'attempt is not an integer ≥ 0';
  const command = record.command;
  const commandOk =
    (typeof command === 'string' && command !== '') ||
    (Array.isArray(command) &&
      command.length > 0 &&
      command.every((part) => typeof part === 'string'));
  if (!commandOk) return 'command is not an argv array or a string';
  const pid = record.supervisorPid;
  if (pid !== undefined && pid !== null && (!Number.isInteger(pid) || (pid as number) < 1)) {
    return 'supervisorPid is not a positive integer';
  }
  return undefined;
}

/** A cancel request as found in `control.json`. */
export type CancelRequest = NonNullable<ControlRequest['cancel']>;

/**
 * The cancel request in the run's `control.json`, if any (what `requestCancel` writes).
 *
 * @throws the `@runboard/json-io` read errors (`RUNBOARD_JSON_PARSE` …) for a broken file.
 */
export async function readCancelRequest(runDir: string): Promise<CancelRequest | undefined> {
  const control = await readJson<unknown>(join(runDir, RUN_FILES.control), { default: {} });
  if (control === null || typeof control !== 'object') return undefined;
  const cancel = (control as { cancel?: unknown }).cancel;
  if (cancel === null || typeof cancel !== 'object') return undefined;
  const { requestedAt, requestedBy } = cancel as { requestedAt?: unknown; requestedBy?: unknown };
  if (typeof requestedAt !== 'string') return undefined;
  return typeof requestedBy === 'string' ? { requestedAt, requestedBy } : { requestedAt };
}
