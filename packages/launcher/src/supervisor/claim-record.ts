import { basename, join } from 'node:path';
import { updateJson } from '@runboard/json-io';
import { deriveState } from '../run-folder/derived-state.js';
import { isLocalProcessAlive } from '../run-folder/process-alive.js';
import type { RunRecord } from '../run-folder/run-record.js';
import { RUN_FILES } from '../run-folder/run-files.js';
import { isTerminalStatus } from '../run-folder/run-status.js';
import { RunActiveError, RunSupersededError } from './errors.js';
import { checkRunRecord, SUPERVISOR_RECORD_SCHEMA_VERSION } from './record-check.js';
import type { ResolvedSupervisorOptions } from './supervisor-options.js';

/** Who is claiming the run. */
export interface SupervisorIdentity {
  host: string;
  supervisorPid: number;
  startedAt: Date;
}

/**
 * Marks the run `running` for this supervisor under the run's lock and returns the record
 * written. With `options.attempt` (the launcher's claim) the record must be at that attempt,
 * not finished, not given back to the queue, and not owned by another supervisor (except that a requeued Slurm job's next run
 * takes its attempt over: {@link isRequeuedJobRun}); the record counts Slurm's requeues in
 * `requeued`. Without it (standalone use): attempt 1 for a new record, the claimed attempt of
 * a `queued`/`starting` record, the next attempt after a finished or stalled one; a live run
 * is refused.
 *
 * @throws {RunSupersededError} when the launcher's attempt is not this supervisor's to run.
 * @throws {RunActiveError} when a standalone supervisor finds the run alive.
 */
export async function claimRecord(
  options: ResolvedSupervisorOptions,
  identity: SupervisorIdentity,
): Promise<RunRecord> {
  const file = join(options.runDir, RUN_FILES.progress);
  const written = await updateJson<RunRecord | undefined>(file, (value) => {
    const current = value === undefined ? undefined : checkRunRecord(file, value);
    const attempt = attemptToClaim(options, identity, current);
    const now = identity.startedAt.toISOString();
    const sameAttempt = current !== undefined && current.attempt === attempt;
    const record: RunRecord = {
      ...current,
      schemaVersion: SUPERVISOR_RECORD_SCHEMA_VERSION,
      id: options.runId ?? current?.id ?? basename(options.runDir),
      status: 'running',
      attempt,
      command: current?.command ?? [...options.command],
      host: identity.host,
      supervisorPid: identity.supervisorPid,
      pid: null,
      gpus: options.gpus ? [...options.gpus] : sameAttempt ? (current.gpus ?? null) : null,
      startedAt: now,
      heartbeatAt: now,
      progressChangedAt: now,
      finishedAt: null,
      updatedAt: now,
      exitCode: null,
      signal: null,
      error: null,
      finalWriteError: null,
      errorTail: null,
      waiting: null,
      progress: null,
      metrics: null,
    };
    const restarts = options.slurmJob?.restartCount ?? 0;
    if (restarts > 0) record.requeued = Math.max(current?.requeued ?? 0, restarts);
    return record;
  });
  return written as RunRecord;
}

function attemptToClaim(
  options: ResolvedSupervisorOptions,
  identity: SupervisorIdentity,
  current: RunRecord | undefined,
): number {
  const { runDir } = options;
  if (options.attempt !== undefined) {
    const attempt = options.attempt;
    if (!current) return attempt;
    if (current.attempt !== attempt) {
      throw new RunSupersededError(
        runDir,
        `the record is at attempt ${current.attempt}, not ${attempt}`,
      );
    }
    if (
      current.supervisorPid &&
      current.supervisorPid !== identity.supervisorPid &&
      !isRequeuedJobRun(options, current)
    ) {
      throw new RunSupersededError(
        runDir,
        `attempt ${attempt} belongs to supervisor pid ${current.supervisorPid}`,
      );
    }
    if (isTerminalStatus(current.status)) {
      throw new RunSupersededError(runDir, `attempt ${attempt} is already ${current.status}`);
    }
    // The launcher writes `starting` before every start: a queued record's attempt was given
    // back (a start that did not reach its server), and the next claim takes a new number.
    if (current.status === 'queued') {
      throw new RunSupersededError(runDir, `attempt ${attempt} went back to the queue`);
    }
    return attempt;
  }
  if (!current) return 1;
  if (current.status === 'queued' || current.status === 'starting')
    return Math.max(1, current.attempt);
  if (
    current.status === 'running' &&
    deriveState(current, { isProcessAlive: isLocalProcessAlive }) !== 'stalled'
  ) {
    throw new RunActiveError(
      runDir,
      `attempt ${current.attempt} has supervisor pid ${current.supervisorPid ?? '?'} on ${current.host ?? '?'} with a fresh heartbeat`,
    );
  }
  return current.attempt + 1;
}

/**
 * Whether this supervisor is a later run of the Slurm job that ran `current`'s attempt: Slurm
 * requeued the job (`SLURM_RESTART_COUNT` > 0) after its earlier supervisor was killed before
 * it could record the requeue. Slurm starts a job again only once all its processes are gone,
 * so the earlier supervisor is dead and the attempt is this one's.
 */
function isRequeuedJobRun(options: ResolvedSupervisorOptions, current: RunRecord): boolean {
  const job = options.slurmJob;
  return (
    job !== undefined &&
    job.restartCount > 0 &&
    current.status === 'running' &&
    current.executor?.jobId === job.jobId
  );
}
