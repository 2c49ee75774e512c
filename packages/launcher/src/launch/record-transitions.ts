import type { RunClaim, RunRecord } from '../run-folder/run-record.js';
import { RUN_RECORD_SCHEMA_VERSION } from '../run-folder/run-record.js';
import type { ResolvedRun } from '../plan/resolve-plan.js';
import { commandHash } from '../run-folder/command-hash.js';

/** The launcher that claims runs: this process on this host. */
export type LauncherIdentity = RunClaim;

/** The highest attempt the plan allows in the record's current cycle. */
export function attemptLimit(record: RunRecord, run: ResolvedRun): number {
  return (record.firstAttempt ?? 1) - 1 + run.maxAttempts;
}

/** Whether a failed record may start again in its current cycle. */
export function hasAttemptsLeft(record: RunRecord, run: ResolvedRun): boolean {
  return record.attempt < attemptLimit(record, run);
}

/** The first record of a run: queued, nothing started yet (attempt 0). */
export function newQueuedRecord(run: ResolvedRun, now: Date): RunRecord {
  const time = now.toISOString();
  return {
    schemaVersion: RUN_RECORD_SCHEMA_VERSION,
    id: run.id,
    status: 'queued',
    attempt: 0,
    firstAttempt: 1,
    maxAttempts: run.maxAttempts,
    command: run.command,
    queuedAt: time,
    updatedAt: time,
  };
}

/**
 * Back to `queued`: for a retry (the last attempt's result stays visible until the claim), or
 * with `freshCycle` (`--retry-failed`, an outdated run) a new set of attempts from the next one.
 */
export function requeuedRecord(
  current: RunRecord,
  run: ResolvedRun,
  now: Date,
  options: { freshCycle?: boolean } = {},
): RunRecord {
  const time = now.toISOString();
  const firstAttempt = options.freshCycle ? current.attempt + 1 : (current.firstAttempt ?? 1);
  const next: RunRecord = {
    ...current,
    status: 'queued',
    firstAttempt,
    maxAttempts: firstAttempt - 1 + run.maxAttempts,
    command: run.command,
    launcher: null,
    blockedBy: null,
    queuedAt: time,
    updatedAt: time,
  };
  // A run held back by a failed dependency gets another look: its old reason no longer holds.
  if (current.blockedBy) Object.assign(next, { error: null, finishedAt: null });
  return options.freshCycle ? { ...next, ...clearedResult() } : next;
}

/**
 * `starting` attempt + 1, claimed by `launcher` with `gpus`. With `uncounted` (taking over a
 * claim whose launcher died before the job started) the attempt does not count against retries.
 */
export function claimedRecord(
  current: RunRecord,
  run: ResolvedRun,
  launcher: LauncherIdentity,
  gpus: readonly number[],
  now: Date,
  options: { uncounted?: boolean } = {},
): RunRecord {
  const firstAttempt = (current.firstAttempt ?? 1) + (options.uncounted ? 1 : 0);
  return {
    ...current,
    ...clearedResult(),
    status: 'starting',
    attempt: current.attempt + 1,
    firstAttempt,
    maxAttempts: firstAttempt - 1 + run.maxAttempts,
    command: run.command,
    commandHash: commandHash(run),
    waiting: null,
    executor: null,
    launcher: { host: launcher.host, pid: launcher.pid },
    gpus: [...gpus],
    updatedAt: now.toISOString(),
  };
}

/** `failed` with error `lost: <reason>`: its supervisor is gone without recording a result. */
export function lostRecord(current: RunRecord, reason: string, now: Date): RunRecord {
  return finished(current, 'failed', `lost: ${reason}`, now);
}

/** `failed`, not started, because dependencies failed for good (`blockedBy` names them). */
export function blockedRecord(
  current: RunRecord,
  dependencies: readonly string[],
  now: Date,
): RunRecord {
  const names = dependencies.map((id) => `"${id}"`).join(', ');
  return {
    ...finished(
      current,
      'failed',
      `${dependencies.length === 1 ? 'dependency' : 'dependencies'} ${names} failed`,
      now,
    ),
    blockedBy: [...dependencies],
  };
}

/** `cancelled` before it started (a cancel request in `control.json` found before the claim). */
export function cancelledBeforeStartRecord(current: RunRecord, now: Date): RunRecord {
  return finished(current, 'cancelled', 'cancelled before it started', now);
}

/**
 * Back to `queued` after a start that never reached its server (`StartUnreachedError`):
 * the claimed attempt does not count against retries (`firstAttempt` moves past it) and the
 * next claim takes the attempt after it, so a supervisor that started after all is superseded.
 */
export function unreachedRecord(current: RunRecord, run: ResolvedRun, now: Date): RunRecord {
  const time = now.toISOString();
  const firstAttempt = (current.firstAttempt ?? 1) + 1;
  return {
    ...current,
    status: 'queued',
    firstAttempt,
    maxAttempts: firstAttempt - 1 + run.maxAttempts,
    launcher: null,
    executor: null,
    gpus: null,
    server: null,
    queuedAt: time,
    updatedAt: time,
  };
}

/** `failed`: the executor could not start the supervisor. */
export function startFailedRecord(current: RunRecord, reason: string, now: Date): RunRecord {
  return finished(current, 'failed', `could not start: ${reason}`, now);
}

function finished(
  current: RunRecord,
  status: 'failed' | 'cancelled',
  error: string,
  now: Date,
): RunRecord {
  const time = now.toISOString();
  return { ...current, status, error, finishedAt: time, updatedAt: time };
}

function clearedResult(): Partial<RunRecord> {
  return {
    host: null,
    supervisorPid: null,
    pid: null,
    startedAt: null,
    heartbeatAt: null,
    progressChangedAt: null,
    finishedAt: null,
    exitCode: null,
    signal: null,
    error: null,
    finalWriteError: null,
    errorTail: null,
    progress: null,
    metrics: null,
    blockedBy: null,
  };
}
