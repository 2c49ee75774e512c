import { RUN_FILES } from '../run-folder/run-files.js';
import { watchCancelRequest } from './cancel-watcher.js';
import { isProcessGroupAlive, stopProcessGroup } from './process-group.js';

/** Why the supervisor stops a job that is still running. */
export interface StopReason {
  status: 'failed' | 'cancelled';
  error: string;
  superseded?: boolean;
}

/** What may stop the job, given to {@link JobStopper.watch}. */
export interface StopTriggers {
  /** The run folder, watched for a cancel request in `control.json`. */
  runDir: string;
  controlPollSeconds: number;
  /** Stop and record `failed` after this many seconds. */
  timeoutSeconds?: number;
  /** Aborting it cancels the run. */
  signal?: AbortSignal;
}

/**
 * Stops a job's whole process group (SIGTERM, `graceMs`, then SIGKILL) once, for the first
 * reason that comes: a cancel request in `control.json`, the timeout, an aborted signal, or a
 * call to {@link JobStopper.stop} (the record was taken over).
 *
 * @example
 * const stopper = new JobStopper(child.pid, { graceMs: 10_000, note });
 * stopper.watch({ runDir, controlPollSeconds: 2, timeoutSeconds: 3600, signal });
 * await exited;
 * await stopper.settle(); // stop watching; wait for the stop; clear the group of leftovers
 * stopper.reason; // why it was stopped, if it was
 */
export class JobStopper {
  /** Why the job was stopped, once it was. */
  reason: StopReason | undefined;
  private stopping: Promise<unknown> | undefined;
  private readonly disposers: Array<() => void> = [];

  constructor(
    private readonly groupId: number,
    private readonly options: { graceMs: number; note: (text: string) => void },
  ) {}

  /** Starts watching for a cancel request, the timeout and the abort signal. */
  watch(triggers: StopTriggers): void {
    this.disposers.push(
      watchCancelRequest(triggers.runDir, {
        pollSeconds: triggers.controlPollSeconds,
        onCancel: (request) =>
          this.stop({
            status: 'cancelled',
            error:
              `cancelled: requested in ${RUN_FILES.control} at ${request.requestedAt}` +
              (request.requestedBy ? ` by ${request.requestedBy}` : ''),
          }),
        onError: (error) =>
          this.options.note(`could not read ${RUN_FILES.control}: ${String(error)}`),
      }),
    );
    const { timeoutSeconds, signal } = triggers;
    if (timeoutSeconds !== undefined) {
      const timer = setTimeout(
        () => this.stop({ status: 'failed', error: `timeout after ${timeoutSeconds}s` }),
        timeoutSeconds * 1000,
      );
      this.disposers.push(() => clearTimeout(timer));
    }
    if (signal) {
      const onAbort = (): void => {
        const reason: unknown = signal.reason;
        this.stop({
          status: 'cancelled',
          error: `cancelled: ${typeof reason === 'string' ? reason : 'aborted'}`,
        });
      };
      if (signal.aborted) onAbort();
      else signal.addEventListener('abort', onAbort, { once: true });
      this.disposers.push(() => signal.removeEventListener('abort', onAbort));
    }
  }

  /** Stops the job's process group for `reason`, unless it is being stopped already. */
  stop(reason: StopReason): void {
    if (this.reason) return;
    this.reason = reason;
    this.options.note(`stopping the job's process group ${this.groupId}: ${reason.error}`);
    this.stopping = this.stopGroup().then((killed) => {
      if (killed)
        this.options.note(
          `sent SIGKILL to process group ${this.groupId} after ${this.options.graceMs / 1000} s`,
        );
    });
  }

  /**
   * After the job exited: stops watching, waits for a stop under way, and stops what the job
   * left running in its group.
   */
  async settle(): Promise<void> {
    for (const dispose of this.disposers.splice(0)) dispose();
    await this.stopping;
    if (isProcessGroupAlive(this.groupId)) {
      this.options.note(
        `the job exited but left processes in its group ${this.groupId}; stopping them`,
      );
      await this.stopGroup();
    }
  }

  /** SIGTERM, grace, SIGKILL; resolves with whether SIGKILL was needed. */
  private async stopGroup(): Promise<boolean> {
    const outcome = await stopProcessGroup(this.groupId, {
      graceMs: this.options.graceMs,
      pollMs: 100,
    });
    return outcome.killed;
  }
}
