import { join } from 'node:path';
import { clearCancelRequest } from '../run-folder/control-request.js';
import { deriveState } from '../run-folder/derived-state.js';
import { isLocalProcessAlive } from '../run-folder/process-alive.js';
import { resolveRunDir } from '../run-folder/run-id.js';
import type { RunRecord } from '../run-folder/run-record.js';
import type { ResolvedPlan, ResolvedRun } from '../plan/resolve-plan.js';
import type { AttemptOutcome } from '../run-folder/run-files.js';
import { judgeStalledAttempt, recordEndedFromOutcome } from './attempt-ending.js';
import { mapConcurrent } from './map-concurrent.js';
import { stopOrphanedJob as stopLocalOrphanedJob } from './executors/orphaned-job.js';
import type { LauncherIdentity } from './record-transitions.js';
import {
  hasAttemptsLeft,
  lostRecord,
  newQueuedRecord,
  requeuedRecord,
} from './record-transitions.js';
import { createRunRecord, readRunRecord, updateRunRecord } from '../run-folder/run-records.js';
import { sameRecord } from './same-record.js';

/** A run's outcome once nothing more will happen to it in this launch. */
export type RunOutcome = 'succeeded' | 'failed' | 'cancelled';

/** What the launcher should do with a run, judged from its record. */
export type RecordDecision =
  /** No record yet: create it `queued`, then start it. */
  | { kind: 'new' }
  /** Start it (after `requeue` writes it back to `queued`, and not before `notBefore`). */
  | { kind: 'pending'; requeue?: 'retry' | 'fresh' | 'unblock'; notBefore?: number }
  /** A `starting` claim whose launcher died (or that is too old): claim it again, uncounted. */
  | { kind: 'reclaim' }
  /** Started by a live supervisor, or claimed by a live launcher: watch it, keep its slot. */
  | { kind: 'watch' }
  /** `running`, but its supervisor is gone: record it failed (lost), then decide again. */
  | { kind: 'lost'; reason: string }
  /** `running`, its supervisor gone, but `outcome.json` tells how the attempt ended: record that. */
  | { kind: 'ended'; outcome: AttemptOutcome }
  /** Nothing to do. */
  | { kind: 'done'; outcome: RunOutcome };

export interface DecideOptions {
  /** ms since the epoch. */
  now: number;
  launcher: LauncherIdentity;
  stalledAfterSeconds: number;
  /** Succeeded runs older than this run again (only when reconciling at start-up). */
  outdatedAfterSeconds?: number;
  /** Failed-for-good and cancelled runs get a fresh set of attempts (only at start-up). */
  retryFailed?: boolean;
  /** Liveness probe; default: `isLocalProcessAlive` (processes of this host). */
  isProcessAlive?: (host: string, pid: number) => boolean | undefined;
}

/**
 * What to do with run `run` given its record: a pure function of the record, the plan's run,
 * the clock and the liveness probe.
 *
 * @example
 * decideRecord(record, run, { now: Date.now(), launcher: { host, pid }, stalledAfterSeconds: 60 });
 * // { kind: 'watch' } for a running run with a fresh heartbeat
 */
export function decideRecord(
  record: RunRecord | undefined,
  run: ResolvedRun,
  options: DecideOptions,
): RecordDecision {
  if (record === undefined) return { kind: 'new' };
  const isProcessAlive = options.isProcessAlive ?? isLocalProcessAlive;
  const derive = () =>
    deriveState(record, {
      now: options.now,
      isProcessAlive,
      thresholds: {
        stalledAfterSeconds: options.stalledAfterSeconds,
        outdatedAfterSeconds: options.outdatedAfterSeconds,
      },
    });
  switch (record.status) {
    case 'queued':
      return afterRetryDelay({ kind: 'pending' }, record, run, options.now);
    case 'starting': {
      const ours =
        record.launcher?.host === options.launcher.host &&
        record.launcher?.pid === options.launcher.pid;
      // Our own pid in a claim we do not hold: a launcher before us had this pid.
      return ours || derive() === 'stalled' ? { kind: 'reclaim' } : { kind: 'watch' };
    }
    case 'running':
      return derive() === 'stalled'
        ? { kind: 'lost', reason: lostReason(record, options.now, isProcessAlive) }
        : { kind: 'watch' };
    case 'succeeded':
      return derive() === 'outdated'
        ? { kind: 'pending', requeue: 'fresh' }
        : { kind: 'done', outcome: 'succeeded' };
    case 'failed': {
      if (record.blockedBy) return { kind: 'pending', requeue: 'unblock' };
      if (hasAttemptsLeft(record, run))
        return afterRetryDelay({ kind: 'pending', requeue: 'retry' }, record, run, options.now);
      return options.retryFailed
        ? { kind: 'pending', requeue: 'fresh' }
        : { kind: 'done', outcome: 'failed' };
    }
    case 'cancelled':
      return options.retryFailed
        ? { kind: 'pending', requeue: 'fresh' }
        : { kind: 'done', outcome: 'cancelled' };
  }
}

/**
 * {@link decideRecord}, with a `lost` decision checked against the run's `outcome.json` (see
 * `decideStalledAttempt`): an attempt whose end its supervisor could not record (a full disk)
 * is `ended` from there, or watched while its supervisor still lives and retries.
 *
 * @example
 * const decision = await decideRunFolder(runDir, record, run, { now: Date.now(), launcher, stalledAfterSeconds: 60 });
 */
export async function decideRunFolder(
  runDir: string,
  record: RunRecord | undefined,
  run: ResolvedRun,
  options: DecideOptions,
): Promise<RecordDecision> {
  const decision = decideRecord(record, run, options);
  if (decision.kind !== 'lost' || record === undefined) return decision;
  const isProcessAlive = options.isProcessAlive ?? isLocalProcessAlive;
  const pid = record.supervisorPid;
  return judgeStalledAttempt(runDir, record, {
    now: options.now,
    stalledAfterSeconds: options.stalledAfterSeconds,
    supervisorAlive: record.host && pid ? isProcessAlive(record.host, pid) : undefined,
    reason: decision.reason,
  });
}

/** A retry waits `retryDelaySeconds` from the failed attempt's end (kept in a requeued record). */
function afterRetryDelay(
  decision: Extract<RecordDecision, { kind: 'pending' }>,
  record: RunRecord,
  run: ResolvedRun,
  now: number,
): RecordDecision {
  if (run.retryDelaySeconds <= 0 || record.attempt === 0 || !record.finishedAt) return decision;
  const notBefore = Date.parse(record.finishedAt) + run.retryDelaySeconds * 1000;
  return notBefore > now ? { ...decision, notBefore } : decision;
}

function lostReason(
  record: RunRecord,
  now: number,
  isProcessAlive: NonNullable<DecideOptions['isProcessAlive']>,
): string {
  const pid = record.supervisorPid ?? record.pid;
  if (record.host && pid && isProcessAlive(record.host, pid) === false) {
    return `supervisor ${pid} on ${record.host} is gone`;
  }
  const heartbeat = Date.parse(record.heartbeatAt ?? record.startedAt ?? record.updatedAt);
  return `no heartbeat for ${Math.round((now - heartbeat) / 1000)} s`;
}

/** A run as reconciliation leaves it. */
export interface ReconciledRun {
  run: ResolvedRun;
  runDir: string;
  /** The record after the writes reconciliation made (`undefined` only in a dry run of a new run). */
  record: RunRecord | undefined;
  decision: RecordDecision;
  /** Why the record could not be read or written, when it could not. */
  error?: Error;
}

export interface ReconcileOptions {
  launcher: LauncherIdentity;
  retryFailed?: boolean;
  /** Judge only: write nothing (for `--dry-run`). */
  dryRun?: boolean;
  now?: () => number;
  isProcessAlive?: DecideOptions['isProcessAlive'];
  /**
   * Stops the orphaned job of a run about to be recorded lost (see `Executor.stopOrphanedJob`).
   * Default: on this machine.
   */
  stopOrphanedJob?: (record: RunRecord, runDir: string) => Promise<unknown>;
  /** Record reads and writes in flight at once. Default 32. */
  parallelism?: number;
}

/**
 * Brings every run folder of the plan in line with the plan, as each launcher start does:
 * creates missing records (`queued`), records runs whose supervisor is gone as failed (`lost`),
 * requeues runs with attempts left (and, with `retryFailed`, failed and cancelled ones for a
 * fresh set of attempts), and says for each run what to do next. Every write is a
 * compare-and-set under the run's lock, so a concurrent launcher or supervisor is never overwritten.
 *
 * @example
 * const runs = await reconcilePlan(plan, { launcher: { host: hostname(), pid: process.pid } });
 * runs.filter((entry) => entry.decision.kind === 'pending').length;
 */
export async function reconcilePlan(
  plan: ResolvedPlan,
  options: ReconcileOptions,
): Promise<ReconciledRun[]> {
  const now = options.now ?? Date.now;
  const decideOptions = (): DecideOptions => ({
    now: now(),
    launcher: options.launcher,
    stalledAfterSeconds: plan.stalledAfterSeconds,
    outdatedAfterSeconds:
      plan.outdatedAfterDays === undefined ? undefined : plan.outdatedAfterDays * 86_400,
    retryFailed: options.retryFailed,
    isProcessAlive: options.isProcessAlive,
  });
  const stop = options.stopOrphanedJob ?? stopLocalOrphanedJob;
  return mapConcurrent(
    plan.runs,
    options.parallelism ?? 32,
    async (run): Promise<ReconciledRun> => {
      let runDir = join(plan.root, run.id);
      let record: RunRecord | undefined;
      let decision: RecordDecision = { kind: 'new' };
      try {
        runDir = resolveRunDir(plan.root, run.id);
        record = await readRunRecord(runDir);
        // Each write is a compare-and-set; when another process changed the record meanwhile,
        // judge what it wrote. A few rounds settle any record (lost → failed → queued).
        for (let round = 0; round < 8; round++) {
          decision = await decideRunFolder(runDir, record, run, decideOptions());
          if (options.dryRun || !needsWrite(decision)) break;
          record = (await applyDecision(runDir, run, record, decision, new Date(now()), stop))
            .record;
        }
        return { run, runDir, record, decision };
      } catch (error) {
        return {
          run,
          runDir,
          record,
          decision: { kind: 'done', outcome: 'failed' },
          error: error as Error,
        };
      }
    },
  );
}

function needsWrite(decision: RecordDecision): boolean {
  return (
    decision.kind === 'new' ||
    decision.kind === 'lost' ||
    decision.kind === 'ended' ||
    (decision.kind === 'pending' && decision.requeue !== undefined)
  );
}

/**
 * The write a decision needs (create, mark lost, requeue), as a compare-and-set on the record
 * judged. Resolves with the record as it is afterwards, changed by us or by someone else.
 */
async function applyDecision(
  runDir: string,
  run: ResolvedRun,
  judged: RunRecord | undefined,
  decision: RecordDecision,
  now: Date,
  stopOrphanedJob: NonNullable<ReconcileOptions['stopOrphanedJob']>,
): Promise<{ changed: boolean; record: RunRecord | undefined }> {
  switch (decision.kind) {
    case 'new': {
      // Not fsynced: a queued record lost to a power cut is simply created again next time.
      // Created without the lock (a fresh root's 1,000 records: 3× faster); a record that
      // appeared meanwhile is judged under the lock instead.
      const record = newQueuedRecord(run, now);
      if (await createRunRecord(runDir, record, { durable: false }))
        return { changed: true, record };
      return updateRunRecord(runDir, (current) => (current === undefined ? record : undefined), {
        durable: false,
      });
    }
    case 'lost':
      // The job may outlive its supervisor: stop it first, so the retry never runs beside it.
      if (judged) await stopOrphanedJob(judged, runDir);
      return updateRunRecord(runDir, (current) =>
        sameRecord(current, judged) && current.status === 'running'
          ? lostRecord(current, decision.reason, now)
          : undefined,
      );
    case 'ended':
      return judged
        ? recordEndedFromOutcome(runDir, judged, decision.outcome, now)
        : { changed: false, record: judged };
    case 'pending': {
      const freshCycle = decision.requeue === 'fresh';
      const result = await updateRunRecord(runDir, (current) =>
        sameRecord(current, judged) ? requeuedRecord(current, run, now, { freshCycle }) : undefined,
      );
      if (result.changed && freshCycle) await clearCancelRequest(runDir);
      return result;
    }
    default:
      return { changed: false, record: judged };
  }
}
