import { z } from 'zod';
import { RUN_STATUSES } from './run-status.js';

/** The record schema version this package writes. Fields may be added, never renamed. */
export const RUN_RECORD_SCHEMA_VERSION = 1;

const isoTime = z.iso.datetime({ offset: true });
const optionalTime = isoTime.nullable().optional();

/** Progress as last reported by the job, with derived percent and ETA. */
export const runProgressSchema = z.looseObject({
  current: z.number().nonnegative(),
  total: z.number().positive().nullable().optional(),
  unit: z.string().nullable().optional(),
  percent: z.number().min(0).max(100).nullable().optional(),
  etaSeconds: z.number().nonnegative().nullable().optional(),
  message: z.string().nullable().optional(),
});

export type RunProgress = z.infer<typeof runProgressSchema>;

/** Numbers reported by the job; `null` stands for NaN or infinite values. */
export const runMetricsSchema = z.record(z.string(), z.number().nullable());

export type RunMetrics = z.infer<typeof runMetricsSchema>;

/** Who claimed a run for starting (status `starting`). */
export const runClaimSchema = z.looseObject({
  host: z.string(),
  pid: z.number().int().positive(),
});

/**
 * The run record kept in `<root>/<runId>/progress.json` (schema version 1).
 * Unknown fields are kept, so newer writers and older readers get along.
 */
export const runRecordSchema = z.looseObject({
  schemaVersion: z.literal(RUN_RECORD_SCHEMA_VERSION),
  id: z.string().min(1),
  status: z.enum(RUN_STATUSES),
  attempt: z.number().int().nonnegative(),
  /** Attempts allowed in all: 1 + retries. */
  maxAttempts: z.number().int().positive().optional(),
  command: z.union([z.array(z.string()).min(1), z.string().min(1)]),
  launcher: runClaimSchema.nullable().optional(),
  host: z.string().nullable().optional(),
  supervisorPid: z.number().int().positive().nullable().optional(),
  pid: z.number().int().positive().nullable().optional(),
  gpus: z.array(z.number().int().nonnegative()).nullable().optional(),
  queuedAt: optionalTime,
  startedAt: optionalTime,
  heartbeatAt: optionalTime,
  /** When `progress.current` last changed; the basis of the derived `stuck` state. */
  progressChangedAt: optionalTime,
  finishedAt: optionalTime,
  updatedAt: isoTime,
  exitCode: z.number().int().nullable().optional(),
  signal: z.string().nullable().optional(),
  error: z.string().nullable().optional(),
  progress: runProgressSchema.nullable().optional(),
  metrics: runMetricsSchema.nullable().optional(),
});

export type RunRecord = z.infer<typeof runRecordSchema>;

/**
 * Parses and checks a value read from `progress.json`.
 *
 * @throws {z.ZodError} when the value is not a run record.
 * @example
 * const record = parseRunRecord(JSON.parse(text));
 * console.log(record.status, record.progress?.percent);
 */
export function parseRunRecord(value: unknown): RunRecord {
  return runRecordSchema.parse(value);
}
