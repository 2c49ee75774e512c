import { join } from 'node:path';
import { updateJson } from '@runboard/json-io';
import type { RunRecord } from '../run-folder/run-record.js';
import { RUN_FILES } from '../run-folder/run-files.js';
import { RunSupersededError } from './errors.js';
import { checkRunRecord } from './record-check.js';

/** Which record a supervisor may write: its attempt, and its own pid once the record holds one. */
export interface RecordOwner {
  attempt: number;
  supervisorPid: number;
}

/**
 * Why `record` is not `owner`'s to write, or `undefined` when it is: another attempt, another
 * supervisor of the same attempt, or an attempt that has already ended.
 *
 * @example
 * ownershipProblem(record, { attempt: 1, supervisorPid: process.pid });
 * // 'the record is at attempt 2' after the launcher started a retry
 */
export function ownershipProblem(record: RunRecord, owner: RecordOwner): string | undefined {
  if (record.attempt !== owner.attempt)
    return `the record is at attempt ${record.attempt}, not ${owner.attempt}`;
  if (record.supervisorPid && record.supervisorPid !== owner.supervisorPid) {
    return `attempt ${owner.attempt} belongs to supervisor pid ${record.supervisorPid}`;
  }
  if (record.status !== 'running') return `attempt ${owner.attempt} is ${record.status}`;
  return undefined;
}

/**
 * Updates `progress.json` under the run's lock with `patch`, but only while the record is
 * `owner`'s (see {@link ownershipProblem}); otherwise nothing is written and a
 * {@link RunSupersededError} is thrown. A missing record is recreated from `fallback`.
 */
export async function writeOwnedRecord(
  runDir: string,
  owner: RecordOwner,
  patch: Partial<RunRecord>,
  fallback: RunRecord,
  options: { durable?: boolean } = {},
): Promise<RunRecord> {
  const file = join(runDir, RUN_FILES.progress);
  return updateJson<RunRecord | undefined>(
    file,
    (current) => {
      const record = current === undefined ? fallback : checkRunRecord(file, current);
      const problem = ownershipProblem(record, owner);
      if (problem) throw new RunSupersededError(runDir, problem);
      return { ...record, ...patch, updatedAt: new Date().toISOString() };
    },
    { durable: options.durable ?? true },
  ) as Promise<RunRecord>;
}

/** Settings of {@link ThrottledRecordWriter}. */
export interface ThrottledRecordWriterOptions {
  /** Least time between two writes, in ms. */
  intervalMs: number;
  /** Writes the record; called with no two calls overlapping. */
  write: () => Promise<void>;
  /** A write failed; the writer goes on and writes again on the next change. */
  onError: (error: unknown) => void;
}

/**
 * Coalesces "the record changed" notices into writes at most every `intervalMs`, one at a
 * time. The write function reads the newest state when it runs, so a notice is never lost:
 * a change during a write leads to one more write. `flush()` waits for the writes in flight
 * and stops the writer, so the caller can then write the final state itself.
 *
 * @example
 * const writer = new ThrottledRecordWriter({ intervalMs: 250, write, onError });
 * writer.changed(); // soon, at most 4 writes a second
 * await writer.flush();
 */
export class ThrottledRecordWriter {
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> | undefined;
  private dirty = false;
  private lastWriteAt = Number.NEGATIVE_INFINITY;
  private stopped = false;

  constructor(private readonly options: ThrottledRecordWriterOptions) {}

  /** Notes that the record should be written again. */
  changed(): void {
    if (this.stopped) return;
    this.dirty = true;
    this.schedule();
  }

  /** Stops further writes and waits for the one in flight. */
  async flush(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    while (this.inFlight) await this.inFlight;
  }

  private schedule(): void {
    if (this.timer || this.inFlight || !this.dirty || this.stopped) return;
    const wait = Math.max(0, this.lastWriteAt + this.options.intervalMs - Date.now());
    this.timer = setTimeout(() => this.run(), wait);
  }

  private run(): void {
    this.timer = undefined;
    if (this.stopped) return;
    this.dirty = false;
    this.inFlight = this.options
      .write()
      .catch((error: unknown) => this.options.onError(error))
      .finally(() => {
        this.inFlight = undefined;
        this.lastWriteAt = Date.now();
        this.schedule();
      });
  }
}
