import type { SlurmCommandRunner } from './slurm-commands.js';
import type { SlurmJobTag } from './sbatch-job.js';
import { parseJobComment } from './sbatch-job.js';

/** A runboard job as `squeue` lists it. */
export interface QueuedJob extends SlurmJobTag {
  jobId: string;
  /** Slurm's state: PENDING, RUNNING, COMPLETING, … */
  state: string;
  /** Why a pending job waits (Priority, Resources, QOSMaxJobsPerUserLimit…); `None` otherwise. */
  reason: string;
  /** How often Slurm requeued the job (preemption, `scontrol requeue`, a failed node). */
  restarts: number;
}

/** `squeue --Format` columns split by `|`: job id, state, reason, restarts, comment (last: it may hold anything). */
const SQUEUE_FORMAT = 'JobID:|,State:|,Reason:|,RestartCnt:|,Comment:';

/**
 * The queue of this user's runboard jobs, as one `squeue` call sees it. Every job of a launch is
 * read in one call per interval, whatever their number; a failed call keeps the last answer (a
 * job never counts as gone because slurmctld did not answer).
 *
 * @example
 * const queue = new SlurmQueue(slurm, { intervalMs: 2000, onPoll: (jobs) => show(jobs) });
 * queue.start();
 * await queue.gone('1234'); // the job left the queue
 */
export class SlurmQueue {
  /** Jobs by id, from the last answer. */
  jobs = new Map<string, QueuedJob>();
  /** The last error of `squeue`, when the last call failed. */
  lastError: unknown;
  readonly #slurm: SlurmCommandRunner;
  readonly #intervalMs: number;
  readonly #onPoll: (jobs: ReadonlyMap<string, QueuedJob>) => void;
  #timer: NodeJS.Timeout | undefined;
  #inFlight: Promise<void> | undefined;
  /** Polls started so far; a job submitted before poll n is gone when poll n does not list it. */
  #started = 0;
  #waiters: { jobId: string; after: number; resolve: () => void }[] = [];

  constructor(
    slurm: SlurmCommandRunner,
    options: { intervalMs: number; onPoll?: (jobs: ReadonlyMap<string, QueuedJob>) => void },
  ) {
    this.#slurm = slurm;
    this.#intervalMs = options.intervalMs;
    this.#onPoll = options.onPoll ?? (() => {});
  }

  start(): void {
    this.#timer ??= setInterval(() => void this.refresh(), this.#intervalMs);
    this.#timer.unref();
  }

  close(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** Asks `squeue` now (joins a call in flight). */
  refresh(): Promise<void> {
    this.#inFlight ??= this.#poll().finally(() => (this.#inFlight = undefined));
    return this.#inFlight;
  }

  /** The live job of the run folder `runDir`, if any. */
  jobOf(runDir: string): QueuedJob | undefined {
    for (const job of this.jobs.values()) if (job.runDir === runDir) return job;
    return undefined;
  }

  /** Resolves once a poll that started after this call no longer lists job `jobId`. */
  gone(jobId: string): Promise<void> {
    return new Promise((resolve) =>
      this.#waiters.push({ jobId, after: this.#started + 1, resolve }),
    );
  }

  async #poll(): Promise<void> {
    const poll = ++this.#started;
    let output: string;
    try {
      output = await this.#slurm.run('squeue', ['--me', '--noheader', `--Format=${SQUEUE_FORMAT}`]);
      this.lastError = undefined;
    } catch (error) {
      this.lastError = error;
      return;
    }
    this.jobs = parseSqueue(output);
    this.#waiters = this.#waiters.filter((waiter) => {
      if (waiter.after > poll || this.jobs.has(waiter.jobId)) return true;
      waiter.resolve();
      return false;
    });
    this.#onPoll(this.jobs);
  }
}

/**
 * runboard's jobs in `squeue --Format='JobID:|,State:|,Reason:|,RestartCnt:|,Comment:'` output
 * (others are skipped).
 *
 * @example
 * parseSqueue('12|PENDING|Priority|0|runboard 1 /logs/a\n');
 * // Map { '12' => { jobId: '12', state: 'PENDING', reason: 'Priority', restarts: 0, attempt: 1, runDir: '/logs/a' } }
 */
export function parseSqueue(output: string): Map<string, QueuedJob> {
  const jobs = new Map<string, QueuedJob>();
  for (const line of output.split('\n')) {
    const match = /^\s*([^|\s]+)\|([^|]+)\|([^|]+)\|(\d+)\|(.*)$/.exec(line);
    const tag = match && parseJobComment(match[5]);
    if (!match || !tag) continue;
    jobs.set(match[1], {
      jobId: match[1],
      state: match[2],
      reason: match[3],
      restarts: Number(match[4]),
      ...tag,
    });
  }
  return jobs;
}
