import { constants as osConstants } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describeExit } from '../run-folder/exit-description.js';
import { RUN_FILES } from '../run-folder/run-files.js';
import type { FinalWriteError, RunRecord } from '../run-folder/run-record.js';
import type { RunStatus } from '../run-folder/run-status.js';
import { RunSupersededError } from './errors.js';
import type { StopReason } from './job-stopper.js';
import type { OutcomeFile } from './outcome-file.js';
import { writeOwnedRecord, type RecordOwner } from './record-writer.js';
import type { JobExit, JobStartFailure } from './start-job.js';

/** How a job ended, as the supervisor records it. */
export interface JobEnding {
  /** The status to record (or, when `superseded`, the one this supervisor would have recorded). */
  status: Extract<RunStatus, 'succeeded' | 'failed' | 'cancelled'>;
  /** The job's pid; `null` when it could not be started. */
  pid: number | null;
  /** The job's exit code, `null` when a signal ended it or it never started. */
  exitCode: number | null;
  /** The signal that ended the job. */
  signal: NodeJS.Signals | null;
  /** Why the run did not succeed, as recorded. */
  error: string | null;
  /**
   * The exit status for a supervisor process: the job's exit code, 128 + the signal number,
   * 127 (126) when the command was not found (not executable), 1 when the final record could
   * not be written or the run was taken over.
   */
  exitStatus: number;
  /** The record moved to another attempt or supervisor while this one ran: the job was stopped, the record left alone. */
  superseded: boolean;
}

/** How a supervised run ended. */
export interface SupervisorResult extends JobEnding {
  runId: string;
  attempt: number;
  /** Why the final record could not be written, if it could not. */
  recordError?: unknown;
  /** Slurm requeued the job: the attempt went back to `starting` (nothing final was recorded). */
  requeued?: boolean;
}

/** Backoff between tries of the final write: 100 ms, doubling, at most this. */
const FINAL_WRITE_MAX_DELAY_MS = 2000;
const FINAL_WRITE_FIRST_DELAY_MS = 100;
/** A supervisor told to stop still tries this often (~4 s: lock contention passes) before it gives up. */
const TRIES_WHEN_STOPPED = 5;

/**
 * The ending of a job that exited: stopped for `stopReason`, else succeeded on exit 0, else
 * failed, with {@link describeExit}'s words as the error.
 *
 * @example
 * jobEnding(4242, { code: 3, signal: null }, undefined, false).error; // 'exited with code 3'
 * jobEnding(4242, { code: null, signal: 'SIGKILL' }, undefined, false).error; // 'killed by SIGKILL (signal 9)'
 */
export function jobEnding(
  pid: number,
  { code, signal }: JobExit,
  stopReason: StopReason | undefined,
  superseded: boolean,
): JobEnding {
  const exitStatus = code ?? 128 + (signal ? (osConstants.signals[signal] ?? 0) : 0);
  const ended = stopReason
    ? { status: stopReason.status, error: stopReason.error }
    : code === 0
      ? { status: 'succeeded' as const, error: null }
      : { status: 'failed' as const, error: describeExit({ exitCode: code, signal }) };
  return {
    ...ended,
    pid,
    exitCode: code,
    signal,
    exitStatus: superseded ? 1 : exitStatus,
    superseded,
  };
}

/**
 * The ending of a job that could not be started: its reason as the error, and its exit status
 * (127 for a missing program, 126 for one that is not executable, else 1).
 *
 * @example
 * startFailure(started.failure).error; // 'cwd /work/x does not exist'
 */
export function startFailure({ reason, exitStatus }: JobStartFailure): JobEnding {
  return {
    status: 'failed',
    pid: null,
    exitCode: null,
    signal: null,
    error: reason,
    exitStatus,
    superseded: false,
  };
}

/** Where the final record goes and what it starts from. */
export interface FinalRecordTarget {
  runDir: string;
  owner: RecordOwner;
  /** The record as claimed: recreated from it if `progress.json` goes missing. */
  claimed: RunRecord;
  /** `outcome.json`, written before the record and while the record cannot be. */
  outcome: OutcomeFile;
  note: (text: string) => void;
  /** Aborted (the supervisor is told to stop): stop retrying once `outcome.json` holds the ending. */
  signal?: AbortSignal;
}

/**
 * Records `ending` (with the progress `fields`) as the attempt's final state: first in
 * `outcome.json` (which needs no new disk blocks), then in `progress.json`, conditional on the
 * record still being this supervisor's. A failed record write (a full disk, a lock error) is
 * tried again with backoff (100 ms doubling to 2 s) for as long as this supervisor lives, since
 * nobody else may know how the job ended; every failure refreshes `outcome.json` with why.
 * Once it goes through, the record carries `finalWriteError` (code, file, since when, tries).
 * Resolves with the run's result: `superseded` when the record was taken over meanwhile,
 * `recordError` (and exit status 1) when the supervisor was told to stop before it could write.
 */
export async function recordEnding(
  target: FinalRecordTarget,
  ending: JobEnding,
  fields: Partial<RunRecord>,
): Promise<SupervisorResult> {
  const { claimed, outcome, note } = target;
  const result: SupervisorResult = { runId: claimed.id, attempt: claimed.attempt, ...ending };
  if (ending.superseded) return result;
  const now = new Date().toISOString();
  const outcomeError = outcome.update(
    {
      status: ending.status,
      exitCode: ending.exitCode,
      signal: ending.signal,
      error: ending.error,
      finishedAt: now,
    },
    { durable: true },
  );
  if (outcomeError) note(`could not write ${outcome.path}: ${String(outcomeError)}`);
  const patch: Partial<RunRecord> = {
    status: ending.status,
    pid: ending.pid,
    heartbeatAt: now,
    finishedAt: now,
    exitCode: ending.exitCode,
    signal: ending.signal,
    error: ending.error,
    ...fields,
  };
  const recordError = await writeUntilWritten(target, patch, outcomeError === undefined);
  if (recordError instanceof RunSupersededError) {
    result.superseded = true;
    result.exitStatus = 1;
    note(`final state not recorded: ${recordError.message}`);
  } else if (recordError !== undefined) {
    result.recordError = recordError;
    result.exitStatus = 1;
    note(`final state not recorded: ${String(recordError)}`);
  }
  return result;
}

/**
 * Records that Slurm requeued the attempt's job (the stop signal was Slurm's requeue): the
 * attempt goes back to `starting`, waiting for Slurm, without a supervisor, `requeued` counting
 * Slurm's restarts (`restarts`), its progress kept. Nothing is final: `outcome.json` keeps
 * `running`, and the job's next run takes the same attempt over (see `claimRecord`).
 *
 * @example
 * await recordRequeue(target, ending, 1, fields); // progress.json: status 'starting', requeued 1
 */
export async function recordRequeue(
  target: FinalRecordTarget,
  ending: JobEnding,
  restarts: number,
  fields: Partial<RunRecord>,
): Promise<SupervisorResult> {
  const { claimed, note } = target;
  const result: SupervisorResult = {
    runId: claimed.id,
    attempt: claimed.attempt,
    ...ending,
    requeued: true,
  };
  if (ending.superseded) return result;
  const now = new Date().toISOString();
  const patch: Partial<RunRecord> = {
    ...fields,
    status: 'starting',
    supervisorPid: null,
    pid: null,
    heartbeatAt: now,
    exitCode: null,
    signal: null,
    error: null,
    errorTail: null,
    requeued: restarts,
    waiting: { reason: 'slurm', detail: null, since: now },
  };
  const recordError = await writeUntilWritten(target, patch, true);
  if (recordError !== undefined) {
    result.recordError = recordError;
    note(`requeue not recorded: ${String(recordError)}`);
  }
  return result;
}

/**
 * Writes the final `patch`, trying again until it is written or superseded, or until the
 * supervisor is told to stop, has tried a few times, and `outcome.json` holds the ending. Resolves with the error
 * that ended the tries, `undefined` once written.
 */
async function writeUntilWritten(
  target: FinalRecordTarget,
  patch: Partial<RunRecord>,
  outcomeWritten: boolean,
): Promise<unknown> {
  const { runDir, owner, claimed, outcome, note, signal } = target;
  let failure: FinalWriteError | undefined;
  let delay = FINAL_WRITE_FIRST_DELAY_MS;
  for (;;) {
    try {
      await writeOwnedRecord(
        runDir,
        owner,
        failure ? { ...patch, finalWriteError: failure } : patch,
        { ...claimed, pid: patch.pid },
      );
      if (failure) outcome.update({ recordError: null });
      return undefined;
    } catch (error) {
      if (error instanceof RunSupersededError) return error;
      const described = describeWriteError(error, join(runDir, RUN_FILES.progress));
      if (failure?.message !== described.message)
        note(`could not record the final state, trying again until it can: ${described.message}`);
      failure = {
        ...described,
        firstFailedAt: failure?.firstFailedAt ?? new Date().toISOString(),
        tries: (failure?.tries ?? 0) + 1,
      };
      outcome.update({ recordError: described.message });
      if (signal?.aborted && outcomeWritten && failure.tries >= TRIES_WHEN_STOPPED) return error;
      // A stop request cuts a wait short (an abort before the wait does not: it would spin).
      const interruptible = signal && !signal.aborted ? { signal } : undefined;
      await sleep(delay, undefined, interruptible).catch(() => undefined);
      delay = Math.min(delay * 2, FINAL_WRITE_MAX_DELAY_MS);
    }
  }
}

/** Why a write failed, with the errno code and the file where known (json-io and lock errors differ). */
function describeWriteError(
  error: unknown,
  recordFile: string,
): Pick<FinalWriteError, 'code' | 'file' | 'message'> {
  const { systemCode, code, file, path, syscall } = error as {
    systemCode?: unknown;
    code?: unknown;
    file?: unknown;
    path?: unknown;
    syscall?: unknown;
  };
  const errno =
    typeof systemCode === 'string' ? systemCode : typeof code === 'string' ? code : null;
  const where = typeof file === 'string' ? file : typeof path === 'string' ? path : recordFile;
  const step = typeof syscall === 'string' ? ` (${syscall})` : '';
  return {
    code: errno,
    file: where,
    message: `${errno ?? 'error'}${step} writing ${where}: ${error instanceof Error ? error.message : String(error)}`,
  };
}
