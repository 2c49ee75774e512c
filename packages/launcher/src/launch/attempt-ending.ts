import type { AttemptOutcome } from '../run-folder/run-files.js';
import type { FinalWriteError, RunRecord } from '../run-folder/run-record.js';
import { readAttemptOutcome, updateRunRecord } from '../run-folder/run-records.js';
import { sameRecord } from './same-record.js';

/** What to do with a `running` record found stalled, once its `outcome.json` has been read. */
export type StalledAttemptDecision =
  /** The supervisor lives and keeps `outcome.json` fresh (it is retrying its final write): wait. */
  | { kind: 'watch' }
  /** The attempt's end is known from `outcome.json`: record it (never lost, never rerun blindly). */
  | { kind: 'ended'; outcome: AttemptOutcome }
  /** Nothing says how the attempt ended: record it lost, with why its supervisor could not write. */
  | { kind: 'lost'; reason: string };

export interface StalledAttemptOptions {
  /** ms since the epoch. */
  now: number;
  stalledAfterSeconds: number;
  /** Whether the record's supervisor lives (`undefined`: cannot tell, another host). */
  supervisorAlive: boolean | undefined;
  /** Why the record counts as stalled (`supervisor … is gone`, `no heartbeat for … s`). */
  reason: string;
}

/**
 * Decides about a `running` record whose supervisor is gone or whose heartbeat is stale, from
 * the outcome its supervisor left in `outcome.json` (ignored unless attempt, supervisor pid and
 * host all match the record). A pure function.
 *
 * @example
 * decideStalledAttempt(record, outcome, { now: Date.now(), stalledAfterSeconds: 60, supervisorAlive: false, reason: 'supervisor 12 on a is gone' });
 * // { kind: 'ended', outcome } when outcome.json says the attempt succeeded
 */
export function decideStalledAttempt(
  record: RunRecord,
  outcome: AttemptOutcome | undefined,
  options: StalledAttemptOptions,
): StalledAttemptDecision {
  const own = outcome !== undefined && belongsTo(outcome, record) ? outcome : undefined;
  if (own === undefined) return { kind: 'lost', reason: options.reason };
  const fresh =
    options.now - Date.parse(own.updatedAt) < options.stalledAfterSeconds * 1000 &&
    options.supervisorAlive !== false;
  if (fresh) return { kind: 'watch' };
  if (own.status !== 'running') return { kind: 'ended', outcome: own };
  const why = own.recordError === null ? '' : ` (${own.recordError})`;
  return { kind: 'lost', reason: `${options.reason}${why}` };
}

/**
 * Reads `outcome.json` of a stalled `running` record and decides with
 * {@link decideStalledAttempt}.
 *
 * @example
 * const next = await judgeStalledAttempt(runDir, record, { now: Date.now(), stalledAfterSeconds: 60, supervisorAlive: false, reason });
 */
export async function judgeStalledAttempt(
  runDir: string,
  record: RunRecord,
  options: StalledAttemptOptions,
): Promise<StalledAttemptDecision> {
  return decideStalledAttempt(record, await readAttemptOutcome(runDir), options);
}

/**
 * The record with the attempt's end taken from `outcome.json`: status, exit code, signal,
 * error and end time as the supervisor knew them, and `finalWriteError` saying why the
 * supervisor could not record it itself (its last `recordError`) and that the launcher did.
 *
 * @example
 * endedFromOutcomeRecord(record, outcome, new Date()).status; // 'succeeded'
 */
export function endedFromOutcomeRecord(
  current: RunRecord,
  outcome: AttemptOutcome,
  now: Date,
): RunRecord {
  const time = now.toISOString();
  const status = outcome.status === 'running' ? 'failed' : outcome.status;
  return {
    ...current,
    status,
    exitCode: outcome.exitCode,
    signal: outcome.signal,
    error: status === 'succeeded' ? null : outcome.error,
    finishedAt: outcome.finishedAt ?? time,
    updatedAt: time,
    finalWriteError: finalWriteErrorOf(outcome),
  };
}

/**
 * Writes the attempt's end from `outcome.json` into the record (compare-and-set on the record
 * judged, still `running`). Resolves with whether it wrote, and the record as it is now.
 *
 * @example
 * const { record } = await recordEndedFromOutcome(runDir, judged, outcome, new Date());
 */
export function recordEndedFromOutcome(
  runDir: string,
  judged: RunRecord,
  outcome: AttemptOutcome,
  now: Date,
): Promise<{ changed: boolean; record: RunRecord | undefined }> {
  return updateRunRecord(runDir, (current) =>
    sameRecord(current, judged) && current.status === 'running'
      ? endedFromOutcomeRecord(current, outcome, now)
      : undefined,
  );
}

function belongsTo(outcome: AttemptOutcome, record: RunRecord): boolean {
  return (
    outcome.attempt === record.attempt &&
    outcome.supervisorPid === record.supervisorPid &&
    outcome.host === record.host
  );
}

/** `recordError` reads `CODE (syscall) writing FILE: message` (see the supervisor's final-record.ts). */
const RECORD_ERROR = /^([A-Z][A-Z0-9_]*|error)(?: \(\w+\))? writing (.+?): /;

function finalWriteErrorOf(outcome: AttemptOutcome): FinalWriteError {
  const match = outcome.recordError === null ? null : RECORD_ERROR.exec(outcome.recordError);
  const by = `recorded from outcome.json by the launcher: supervisor ${outcome.supervisorPid} on ${outcome.host} ended without recording it`;
  return {
    code: match && match[1] !== 'error' ? match[1] : null,
    file: match ? match[2] : null,
    message: outcome.recordError === null ? by : `${outcome.recordError}; ${by}`,
    firstFailedAt: outcome.finishedAt ?? outcome.updatedAt,
    tries: 1,
  };
}
