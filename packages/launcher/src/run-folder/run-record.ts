import { z } from 'zod';
import { RUN_STATUSES } from './run-status.js';

/** The record schema version this package writes. Fields may be added, never renamed. */
export const RUN_RECORD_SCHEMA_VERSION = 1;

const isoTime = z.iso.datetime({ offset: true });
const optionalTime = (description: string) => isoTime.nullable().optional().describe(description);

/** Progress as last reported by the job, with derived percent and ETA. */
export const runProgressSchema = z
  .looseObject({
    current: z.number().nonnegative(),
    total: z.number().positive().nullable().optional(),
    unit: z.string().nullable().optional(),
    percent: z.number().min(0).max(100).nullable().optional(),
    etaSeconds: z.number().nonnegative().nullable().optional(),
    message: z.string().nullable().optional(),
  })
  .describe('Progress as last reported by the job, with the derived percent and a smoothed ETA.');

export type RunProgress = z.infer<typeof runProgressSchema>;

/** Numbers reported by the job; `null` stands for NaN or infinite values. */
export const runMetricsSchema = z
  .record(z.string(), z.number().nullable())
  .describe('Numbers last reported by the job; null stands for NaN or an infinite value.');

export type RunMetrics = z.infer<typeof runMetricsSchema>;

/** Why a supervisor could not write an attempt's final state at once (a full disk, say). */
export const finalWriteErrorSchema = z
  .looseObject({
    code: z.string().nullable().describe('The errno code, e.g. ENOSPC.'),
    file: z.string().nullable().describe('The file being written.'),
    message: z.string(),
    firstFailedAt: isoTime.describe('When the first try failed.'),
    tries: z.number().int().positive().describe('Failed tries before the one that went through.'),
  })
  .describe(
    'Why the final state could not be written at once, recorded once it could; the job ended at finishedAt.',
  );

export type FinalWriteError = z.infer<typeof finalWriteErrorSchema>;

/** Why a queued run is not running yet, as the launcher (or the Slurm queue) last saw it. */
export const WAIT_REASONS = [
  'slot',
  'dependency',
  'retry-delay',
  'gpu-policy',
  'gpu-slot',
  'slurm',
  'no-launcher',
] as const;

export type WaitReason = (typeof WAIT_REASONS)[number];

/** A queued run's reason to wait, like `squeue`'s REASON column. */
export const runWaitingSchema = z
  .looseObject({
    reason: z.enum(WAIT_REASONS),
    detail: z
      .string()
      .nullable()
      .optional()
      .describe("Readable detail: the dependency, the GPU check that failed, Slurm's reason."),
    until: optionalTime('When the wait ends, where that is known (a retry delay).'),
    since: optionalTime('When the run started waiting for this reason.'),
  })
  .describe("Why a queued run is not running yet (like squeue's REASON).");

export type RunWaiting = z.infer<typeof runWaitingSchema>;

/** Where an attempt runs, when not as a local process of the launcher's machine. */
export const runExecutorSchema = z
  .looseObject({
    kind: z.enum(['local', 'ssh', 'slurm']),
    jobId: z.string().nullable().optional().describe('The Slurm job id of the attempt.'),
  })
  .describe('The executor of the latest attempt (local, ssh or slurm) and its job id.');

export type RunExecutor = z.infer<typeof runExecutorSchema>;

/** Who claimed a run for starting (status `starting`). */
export const runClaimSchema = z
  .looseObject({
    host: z.string(),
    pid: z.number().int().positive(),
  })
  .describe('The launcher (host and pid) that claimed the run for starting.');

export type RunClaim = z.infer<typeof runClaimSchema>;

/**
 * The run record kept in `<root>/<runId>/progress.json` (schema version 1).
 * Unknown fields are kept, so newer writers and older readers get along.
 */
export const runRecordSchema = z
  .looseObject({
    schemaVersion: z.literal(RUN_RECORD_SCHEMA_VERSION),
    id: z.string().min(1).describe('The run id: a relative path of safe segments.'),
    status: z.enum(RUN_STATUSES),
    attempt: z
      .number()
      .int()
      .nonnegative()
      .describe(
        'The number of the latest start (0 before the first). Never reused: every claim takes a new number, ' +
          'so a late write of an earlier attempt can always be told apart.',
      ),
    maxAttempts: z
      .number()
      .int()
      .positive()
      .optional()
      .describe(
        'The highest attempt the launcher may start in the current cycle, retries included.',
      ),
    firstAttempt: z
      .number()
      .int()
      .positive()
      .optional()
      .describe(
        'The attempt counted as the first of the current cycle (default 1); attempts left = maxAttempts - attempt.',
      ),
    blockedBy: z
      .array(z.string())
      .nullable()
      .optional()
      .describe('Dependencies that failed for good, when that is why this run was not started.'),
    command: z
      .union([z.array(z.string()).min(1), z.string().min(1)])
      .describe('The job: an argv array, or a string run by sh -c.'),
    launcher: runClaimSchema.nullable().optional(),
    host: z.string().nullable().optional().describe('The host the supervisor runs on.'),
    supervisorPid: z
      .number()
      .int()
      .positive()
      .nullable()
      .optional()
      .describe("The supervisor's pid."),
    pid: z.number().int().positive().nullable().optional().describe("The job's pid."),
    gpus: z
      .array(z.number().int().nonnegative())
      .nullable()
      .optional()
      .describe('GPU device ids given to the run.'),
    queuedAt: optionalTime('When the launcher queued the run.'),
    startedAt: optionalTime('When the supervisor started the job.'),
    heartbeatAt: optionalTime("The supervisor's latest heartbeat."),
    progressChangedAt: optionalTime(
      'When progress.current last changed; the basis of the derived stuck state.',
    ),
    finishedAt: optionalTime('When the run reached a terminal status.'),
    updatedAt: isoTime.describe('When the record was last written.'),
    exitCode: z.number().int().nullable().optional(),
    signal: z.string().nullable().optional(),
    error: z.string().nullable().optional().describe('Why the run failed or was not started.'),
    finalWriteError: finalWriteErrorSchema.nullable().optional(),
    errorTail: z
      .array(z.string())
      .nullable()
      .optional()
      .describe(
        "The job's last output lines (stderr and stdout, at most 20 lines / 4 KB, control characters stripped) when it failed.",
      ),
    commandHash: z
      .string()
      .nullable()
      .optional()
      .describe(
        'A hash of what the latest attempt ran (command, env, cwd), to tell when the plan changed since.',
      ),
    waiting: runWaitingSchema.nullable().optional(),
    server: z
      .string()
      .nullable()
      .optional()
      .describe("The name of the plan's server the latest attempt was started on."),
    executor: runExecutorSchema.nullable().optional(),
    requeued: z
      .number()
      .int()
      .nonnegative()
      .nullable()
      .optional()
      .describe(
        "How often Slurm requeued the attempt's job (preemption, scontrol requeue, a failed node): " +
          'each time the same attempt went back to starting, not counted as a failed attempt.',
      ),
    progress: runProgressSchema.nullable().optional(),
    metrics: runMetricsSchema.nullable().optional(),
  })
  .describe('A runboard run record: <root>/<runId>/progress.json, schema version 1.');

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
