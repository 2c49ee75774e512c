import { sep } from 'node:path';
import { readControlRequest } from '../../../run-folder/control-request.js';
import type { RunRecord } from '../../../run-folder/run-record.js';
import { updateRunRecord } from '../../../run-folder/run-records.js';
import { mapConcurrent } from '../../map-concurrent.js';
import { cancelledBeforeStartRecord } from '../../record-transitions.js';
import type { SlurmCommandRunner } from './slurm-commands.js';
import type { QueuedJob } from './slurm-queue.js';

/** Settings of {@link QueueActions}. */
export interface QueueActionsOptions {
  slurm: SlurmCommandRunner;
  /** Only jobs whose run folder is under this root are this launch's. */
  root: string;
  /**
   * A pending job's `starting` record is touched at least this often (its claim stays fresh:
   * a restarted launcher watches it instead of claiming the run again).
   */
  claimRefreshMs: number;
  /** A running job whose supervisor did not stop it this long after a cancel request is `scancel`ed. */
  cancelGraceMs: number;
}

/** Record reads and writes in flight at once per poll. */
const PARALLELISM = 16;

/**
 * What the launch does with its jobs after each `squeue`: a pending job's record shows Slurm's
 * reason (`waiting: { reason: 'slurm', detail }`) and keeps its claim fresh (a job Slurm
 * requeued whose supervisor could not record it goes back to `starting` here); a cancel request
 * cancels a pending job at once (recorded `cancelled`, then `scancel`), and a running job with
 * `scancel` when its supervisor has not stopped it within the grace time.
 *
 * @example
 * const actions = new QueueActions({ slurm, root, claimRefreshMs: 15_000, cancelGraceMs: 30_000 });
 * const queue = new SlurmQueue(slurm, { intervalMs: 2000, onPoll: (jobs) => actions.run(jobs) });
 */
export class QueueActions {
  readonly #options: QueueActionsOptions;
  readonly #prefix: string;
  /** What was last written for each pending job: Slurm's reason, its restarts, and when. */
  readonly #written = new Map<string, { reason: string; restarts: number; at: number }>();
  #busy = false;

  constructor(options: QueueActionsOptions) {
    this.#options = options;
    this.#prefix = options.root.endsWith(sep) ? options.root : options.root + sep;
  }

  /** Acts on the jobs of one `squeue` answer (skipped while the last answer is still handled). */
  run(jobs: ReadonlyMap<string, QueuedJob>): void {
    if (this.#busy) return;
    this.#busy = true;
    const ours = [...jobs.values()].filter((job) => job.runDir.startsWith(this.#prefix));
    for (const jobId of this.#written.keys()) if (!jobs.has(jobId)) this.#written.delete(jobId);
    void mapConcurrent(ours, PARALLELISM, (job) => this.#act(job).catch(() => undefined)).finally(
      () => (this.#busy = false),
    );
  }

  async #act(job: QueuedJob): Promise<void> {
    const cancel = (await readControlRequest(job.runDir).catch(() => ({}))) as {
      cancel?: { requestedAt?: string };
    };
    if (job.state === 'PENDING') {
      if (cancel.cancel) await this.#cancelPending(job);
      else await this.#showReason(job);
    } else if (cancel.cancel) {
      const requestedAt = Date.parse(cancel.cancel.requestedAt ?? '');
      if (Date.now() - requestedAt >= this.#options.cancelGraceMs) await this.#scancel(job.jobId);
    }
  }

  /** Records the run cancelled before it started, then takes its job out of the queue. */
  async #cancelPending(job: QueuedJob): Promise<void> {
    const result = await updateRunRecord(job.runDir, (current) =>
      isPendingAttempt(current, job) ? cancelledBeforeStartRecord(current, new Date()) : undefined,
    );
    // Not ours to cancel when the supervisor started first: it reads control.json itself.
    if (result.changed) await this.#scancel(job.jobId);
  }

  async #showReason(job: QueuedJob): Promise<void> {
    const last = this.#written.get(job.jobId);
    const now = Date.now();
    const unchanged = last?.reason === job.reason && last.restarts === job.restarts;
    if (unchanged && now - last.at < this.#options.claimRefreshMs) return;
    const time = new Date(now).toISOString();
    await updateRunRecord(job.runDir, (current) => {
      const requeued = isUnrecordedRequeue(current, job);
      if (!requeued && !isPendingAttempt(current, job)) return undefined;
      // Slurm says `None` until its scheduler has looked at the job.
      const detail = job.reason === 'None' ? null : job.reason;
      const same = current.waiting?.reason === 'slurm' && current.waiting.detail === detail;
      const since = same ? (current.waiting?.since ?? time) : time;
      const back = requeued ? requeuedRecord(job) : {};
      return { ...current, ...back, waiting: { reason: 'slurm', detail, since }, updatedAt: time };
    });
    this.#written.set(job.jobId, { reason: job.reason, restarts: job.restarts, at: now });
  }

  async #scancel(jobId: string): Promise<void> {
    await this.#options.slurm.run('scancel', [jobId]).catch(() => undefined); // already gone
  }
}

/** Whether `current` is the claim of `job`'s attempt, not yet started by its supervisor. */
function isPendingAttempt(current: RunRecord | undefined, job: QueuedJob): current is RunRecord {
  return current?.status === 'starting' && current.attempt === job.attempt;
}

/**
 * Whether `current` is `job`'s attempt still `running` while Slurm has requeued the job (it is
 * pending again, with more restarts than the record counts): its supervisor was killed (or its
 * node failed) before it could record the requeue.
 */
function isUnrecordedRequeue(current: RunRecord | undefined, job: QueuedJob): current is RunRecord {
  return (
    current?.status === 'running' &&
    current.attempt === job.attempt &&
    current.executor?.jobId === job.jobId &&
    job.restarts > (current.requeued ?? 0)
  );
}

/** The fields of an attempt whose job Slurm requeued: back to `starting`, no supervisor. */
function requeuedRecord(job: QueuedJob): Partial<RunRecord> {
  return {
    status: 'starting',
    supervisorPid: null,
    pid: null,
    requeued: job.restarts,
  };
}
