import type { RunRecord } from '../run-folder/run-record.js';
import { updateRunRecord } from '../run-folder/run-records.js';
import type { LaunchState } from './launch-state.js';
import type { AttemptOutcome } from '../run-folder/run-files.js';
import { judgeStalledAttempt, recordEndedFromOutcome } from './attempt-ending.js';
import type { RecordDecision, RunOutcome } from './reconcile.js';
import { decideRunFolder } from './reconcile.js';
import { lostRecord, newQueuedRecord, requeuedRecord } from './record-transitions.js';
import type { RunEntry } from './run-entry.js';
import { holdsSlot } from './run-entry.js';
import { sameRecord } from './same-record.js';

/**
 * How many decide-and-write rounds one judgement takes at most. A record settles in at most
 * three (new → queued; lost → failed → queued); more means other processes keep changing it.
 */
export const JUDGE_ROUNDS = 8;

/**
 * Acts on a run's record as it is now (after a failed compare-and-set, an exit, a poll):
 * finished → final or retry; running elsewhere → watch; stalled → lost; queued → pending.
 * Each write is a compare-and-set on the record judged; when someone else changed it first,
 * what they wrote is judged in the next round. A record that keeps changing for
 * {@link JUDGE_ROUNDS} rounds is left as it is, with a warning: the run is looked at again by
 * the next poll or pump.
 */
export async function judgeRecord(
  state: LaunchState,
  entry: RunEntry,
  record: RunRecord | undefined,
): Promise<void> {
  let last: RecordDecision['kind'] = 'new';
  for (let round = 0; round < JUDGE_ROUNDS; round++) {
    entry.record = record;
    if (entry.phase === 'done') return;
    if (record === undefined) {
      last = 'new';
      record = (
        await updateRunRecord(entry.runDir, (current) =>
          current === undefined ? newQueuedRecord(entry.run, new Date()) : undefined,
        )
      ).record;
      continue;
    }
    const decision = await decideRunFolder(entry.runDir, record, entry.run, state.decideOptions());
    last = decision.kind;
    switch (decision.kind) {
      case 'new':
        continue; // only for a missing record, handled above
      case 'watch':
        if (entry.phase === 'active' && entry.own === undefined) return;
        state.watch(entry, record);
        return;
      case 'reclaim':
        state.release(entry, 'pending');
        entry.reclaim = true;
        state.scheduler.schedule();
        return;
      case 'lost':
        record = await markLost(state, entry, record, decision.reason);
        continue;
      case 'ended':
        record = await recordEnded(state, entry, record, decision.outcome);
        continue;
      case 'pending':
        if (decision.requeue === undefined) {
          state.release(entry, 'pending');
          entry.reclaim = false;
          if (decision.notBefore !== undefined) {
            entry.notBefore = decision.notBefore;
            entry.notBeforeReason = 'retry-delay';
          }
          state.scheduler.schedule();
          return;
        }
        record = await requeue(state, entry, record);
        continue;
      case 'done':
        endAttempt(state, entry, record, decision.outcome, true);
        return;
    }
  }
  state.emit({
    type: 'warning',
    runId: entry.run.id,
    message: `record kept changing during ${JUDGE_ROUNDS} rounds of judging (last decision: ${last}); looking at it again later`,
  });
}

/**
 * Records the attempt of `judged` lost (its supervisor is gone), after the executor stopped its
 * orphaned job, so that a retry never runs beside it. Resolves with the record as it is now.
 */
export async function markLost(
  state: LaunchState,
  entry: RunEntry,
  judged: RunRecord,
  reason: string,
): Promise<RunRecord | undefined> {
  await state.executor.stopOrphanedJob(judged, entry.runDir);
  const lost = await updateRunRecord(entry.runDir, (current) =>
    sameRecord(current, judged) ? lostRecord(current, reason, new Date()) : undefined,
  );
  if (lost.changed)
    state.emit({ type: 'lost', runId: entry.run.id, attempt: judged.attempt, reason });
  return lost.record;
}

/**
 * The supervisor of `judged` (running) has ended without recording the attempt's end: its
 * `outcome.json` may still tell it (a full disk kept it from writing `progress.json`); else the
 * attempt is lost. Resolves with the record as it is now.
 */
export async function settleEndedSupervisor(
  state: LaunchState,
  entry: RunEntry,
  judged: RunRecord,
  reason: string,
): Promise<RunRecord | undefined> {
  const decision = await judgeStalledAttempt(entry.runDir, judged, {
    now: Date.now(),
    stalledAfterSeconds: state.plan.stalledAfterSeconds,
    supervisorAlive: false,
    reason,
  });
  return decision.kind === 'ended'
    ? recordEnded(state, entry, judged, decision.outcome)
    : markLost(state, entry, judged, decision.kind === 'lost' ? decision.reason : reason);
}

/** Records the attempt's end as `outcome.json` tells it, and says so in a warning. */
async function recordEnded(
  state: LaunchState,
  entry: RunEntry,
  judged: RunRecord,
  outcome: AttemptOutcome,
): Promise<RunRecord | undefined> {
  const result = await recordEndedFromOutcome(entry.runDir, judged, outcome, new Date());
  if (result.changed) {
    const why = outcome.recordError === null ? '' : ` (${outcome.recordError})`;
    state.emit({
      type: 'warning',
      runId: entry.run.id,
      message: `attempt ${judged.attempt}: supervisor ${outcome.supervisorPid} ended without recording its end${why}; recorded ${outcome.status} from outcome.json`,
    });
  }
  return result.record;
}

/** A failed attempt with attempts left goes back to `queued`. */
async function requeue(
  state: LaunchState,
  entry: RunEntry,
  judged: RunRecord,
): Promise<RunRecord | undefined> {
  const result = await updateRunRecord(entry.runDir, (current) =>
    sameRecord(current, judged) ? requeuedRecord(current, entry.run, new Date()) : undefined,
  );
  if (result.changed && judged.status === 'failed' && !judged.blockedBy) {
    endAttempt(state, entry, judged, 'failed', false);
    state.emit({
      type: 'retrying',
      runId: entry.run.id,
      failedAttempt: judged.attempt,
      delaySeconds: entry.run.retryDelaySeconds,
      retryAfter: new Date(
        (Date.parse(judged.finishedAt ?? '') || Date.now()) + entry.run.retryDelaySeconds * 1000,
      ).toISOString(),
      error: judged.error,
    });
  }
  return result.record;
}

function endAttempt(
  state: LaunchState,
  entry: RunEntry,
  record: RunRecord,
  outcome: RunOutcome,
  final: boolean,
): void {
  const wasRunning = holdsSlot(entry);
  // The state first, so that the event's snapshot already shows the run done (or waiting).
  if (final) state.finish(entry, outcome, record.error);
  else state.release(entry, 'pending');
  if (record.attempt > 0 && (wasRunning || final)) {
    const started = Date.parse(record.startedAt ?? '');
    const finishedAt = Date.parse(record.finishedAt ?? '');
    state.emit({
      type: 'finished',
      runId: entry.run.id,
      attempt: record.attempt,
      outcome,
      final,
      error: record.error,
      exitCode: record.exitCode,
      durationSeconds:
        Number.isNaN(started) || Number.isNaN(finishedAt)
          ? undefined
          : (finishedAt - started) / 1000,
    });
  }
}
