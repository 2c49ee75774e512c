import type { Stats } from 'node:fs';
import { lstatSync } from 'node:fs';
import { lstat, realpath } from 'node:fs/promises';
import { join } from 'node:path';
import { recordFile, tryReadRunRecord } from '@runboard/launcher';
import type { RunRecord } from '@runboard/launcher';
import { DASHBOARD_ERROR_CODES } from '../errors.js';
import type { IndexEvents } from './index-events.js';
import type { Limiter } from './limiter.js';
import type { PathWarner } from './path-warnings.js';
import { readProblemOf } from './read-problem.js';
import { readRecordAsync, readRecordNow, recordHash } from './read-record-now.js';
import type { RecordOutcome, RunTable } from './run-table.js';
import { isActiveEntry, sameStamp, stampOf } from './run-view.js';
import { TimeSlice } from './time-slice.js';
import type { FileStamp, RunEntry, RunView } from './run-view.js';

/** A change arriving within chokidar's 50 ms change throttle is dropped; look again after it. */
const SETTLE_CHECK_MS = 120;
/**
 * And once more a second later: chokidar re-attaches a file's watch after an atomic rename
 * replaced it, and a write in between is announced by no event (seen on a loaded machine).
 */
const LAST_SETTLE_CHECK_MS = 1000;

export interface RecordReadsOptions {
  /** The index's root (symbolic links resolved). */
  root: string;
  table: RunTable;
  events: IndexEvents;
  limit: Limiter;
  readDeadlineMs: number;
  clock: () => number;
  /** The walk generation a read marks its run with. */
  generation: () => number;
  /**
   * Called after each read of a run's `progress.json`: `active` when the run may still change
   * by itself (not finished, or unreadable), so its file is worth an OS watch.
   */
  watchRecord: (id: string, file: string, active: boolean) => void;
  /** What a `run` event sends of a run. */
  view: (entry: RunEntry) => RunView;
  warnPath: PathWarner;
}

interface ReadState {
  again: boolean;
  done: Promise<void>;
}

/**
 * Reads runs' `progress.json` files into the {@link RunTable} and publishes what changed: at
 * most one read per run at a time, reads retried by `readJson` until `readDeadlineMs`, and a
 * run dropped when its record is gone, is not a regular file, or its folder is reached through
 * a symbolic link (as a walk of the root would not find it).
 */
export class RecordReads {
  private readonly inFlight = new Map<string, ReadState>();
  private readonly settleTimers = new Map<string, NodeJS.Timeout>();
  private isClosed = false;

  constructor(private readonly options: RecordReadsOptions) {}

  /**
   * Queues a walk's read of run `id`. The queue is read from the next turn of the event loop
   * on, in time slices ({@link TimeSlice}) taking turns with the walk's, so the walk finds
   * every run (the total) well before the reads are done. Resolves when the queue is empty
   * and the reads it handed to the retrying read are done.
   */
  enqueue(id: string): Promise<void> {
    this.backlog.push(id);
    if (!this.resolveDrained)
      this.drained = new Promise((resolve) => (this.resolveDrained = resolve));
    if (!this.draining) {
      this.draining = true;
      void this.drain();
    }
    return this.drained;
  }

  /** Run ids only: 100,000 `Stats` kept until their read would cost memory for nothing. */
  private readonly backlog: string[] = [];
  private next = 0;
  private draining = false;
  /** Queued reads handed to the retrying read and not done yet. */
  private slowReads = 0;
  private drained: Promise<void> = Promise.resolve();
  private resolveDrained: (() => void) | undefined;

  private async drain(): Promise<void> {
    const slice = new TimeSlice();
    await slice.yield();
    while (this.next < this.backlog.length && !this.isClosed) {
      const id = this.backlog[this.next];
      this.next += 1;
      const slow = this.readQueued(id);
      if (slow) {
        this.slowReads += 1;
        void slow.finally(() => {
          this.slowReads -= 1;
          this.settleDrained();
        });
      }
      if (slice.due) await slice.yield();
    }
    this.backlog.length = 0;
    this.next = 0;
    this.draining = false;
    this.settleDrained();
  }

  private settleDrained(): void {
    if (this.draining || this.slowReads > 0) return;
    this.resolveDrained?.();
    this.resolveDrained = undefined;
  }

  /**
   * A queued read, done now when the record reads simply ({@link readRecordNow}); otherwise
   * (and when a read of the run is under way) the promise of the read that takes it over.
   */
  private readQueued(id: string): Promise<void> | undefined {
    if (this.inFlight.has(id)) return this.request(id, false);
    const file = recordFile(this.runDir(id));
    const read = readRecordNow(file);
    if (read) {
      this.apply(id, { kind: 'record', record: read.record, hash: read.hash }, read.stamp);
      return undefined;
    }
    // The walk reached the folder without following links: no need to resolve it again.
    let stats: Stats | undefined;
    try {
      stats = lstatSync(file, { throwIfNoEntry: false });
    } catch {
      // The read below finds out and says why.
    }
    return this.request(id, false, stats);
  }

  /** Run `id`'s whole record, read now (for the detail); its list record when that fails. */
  async readWhole(id: string): Promise<RunRecord | null> {
    const runDir = this.runDir(id);
    const deadlineMs = this.options.readDeadlineMs;
    const read = await this.options
      .limit(() => tryReadRunRecord(runDir, { deadlineMs }), true)
      .catch(() => undefined);
    return read?.kind === 'record' ? read.record : (this.options.table.get(id)?.record ?? null);
  }

  /** Whether a read of run `id` is under way. */
  isReading(id: string): boolean {
    return this.inFlight.has(id);
  }

  /**
   * Reads run `id`'s record and applies it. A request while a read is under way makes that
   * read go again once done. `settle`: look again shortly after, for a second write that
   * chokidar's throttle swallowed. `knownStats`: the `lstat` a walk just took of the record,
   * on a path the walk took without following links.
   */
  request(id: string, settle: boolean, knownStats?: Stats): Promise<void> {
    const inFlight = this.inFlight.get(id);
    if (inFlight) {
      inFlight.again = true;
      return inFlight.done;
    }
    const state: ReadState = { again: false, done: Promise.resolve() };
    state.done = (async () => {
      try {
        let stats = knownStats;
        do {
          state.again = false;
          await this.read(id, stats);
          stats = undefined;
        } while (state.again && !this.isClosed);
      } catch (error) {
        this.options.warnPath(
          DASHBOARD_ERROR_CODES.scanError,
          join(this.options.root, id),
          error as NodeJS.ErrnoException,
        );
      } finally {
        this.inFlight.delete(id);
      }
      if (settle) this.scheduleSettleCheck(id);
    })();
    this.inFlight.set(id, state);
    return state.done;
  }

  /** Stops settle checks and waits for the reads under way. */
  async close(): Promise<void> {
    this.isClosed = true;
    for (const timer of this.settleTimers.values()) clearTimeout(timer);
    this.settleTimers.clear();
    await Promise.allSettled([...this.inFlight.values()].map((read) => read.done));
  }

  private runDir(id: string): string {
    return join(this.options.root, ...id.split('/'));
  }

  private async read(id: string, knownStats?: Stats): Promise<void> {
    if (this.isClosed) return;
    const { limit, clock } = this.options;
    const runDir = this.runDir(id);
    const file = recordFile(runDir);
    let stats: Stats;
    try {
      if (knownStats) stats = knownStats;
      else {
        // Both at once: an event-driven read is on the way to an SSE client.
        const [real, fileStats] = await Promise.all([
          limit(() => realpath(runDir), true),
          limit(() => lstat(file), true),
        ]);
        if (this.isClosed) return;
        if (real !== runDir) {
          this.remove(id);
          return;
        }
        stats = fileStats;
      }
    } catch (error) {
      if (this.isClosed) return;
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') this.remove(id);
      else this.apply(id, { kind: 'problem', problem: readProblemOf(file, error, clock()) }, null);
      return;
    }
    // A symbolic link named progress.json could point anywhere: not a run.
    if (!stats.isFile()) {
      this.remove(id);
      return;
    }
    const urgent = knownStats === undefined; // not a walk's read: an event's
    // A walk's read is synchronous (in its time slices); an event's never blocks the loop.
    const now = urgent ? await limit(() => readRecordAsync(file), true) : readRecordNow(file);
    if (this.isClosed) return;
    if (now) {
      this.apply(id, { kind: 'record', record: now.record, hash: now.hash }, now.stamp);
      return;
    }
    const deadlineMs = this.options.readDeadlineMs;
    const result = await limit(() => tryReadRunRecord(runDir, { deadlineMs }), urgent);
    if (this.isClosed) return;
    if (result.kind === 'missing') this.remove(id);
    else if (result.kind === 'record') {
      const hash = recordHash(JSON.stringify(result.record));
      this.apply(id, { kind: 'record', record: result.record, hash }, stampOf(stats));
    } else {
      const problem = readProblemOf(file, result.error, clock());
      this.apply(id, { kind: 'problem', problem }, stampOf(stats));
    }
  }

  private apply(id: string, outcome: RecordOutcome, stamp: FileStamp | null): void {
    const { table, events, generation, clock } = this.options;
    const changed = table.apply(id, outcome, stamp, generation(), clock());
    const entry = table.get(id);
    if (entry) this.options.watchRecord(id, recordFile(this.runDir(id)), isActiveEntry(entry));
    if (changed) events.publish({ type: 'run', run: this.options.view(changed) });
  }

  private remove(id: string): void {
    if (this.options.table.remove(id)) this.options.events.publish({ type: 'removed', id });
  }

  /** Reads run `id` again shortly if its `progress.json` changed by then (a cheap `lstat`). */
  checkSoon(id: string): void {
    this.scheduleSettleCheck(id);
  }

  private scheduleSettleCheck(id: string, last = false): void {
    if (this.isClosed || this.settleTimers.has(id)) return;
    const timer = setTimeout(
      () => {
        this.settleTimers.delete(id);
        void this.settleCheck(id, last);
      },
      last ? LAST_SETTLE_CHECK_MS : SETTLE_CHECK_MS,
    );
    timer.unref();
    this.settleTimers.set(id, timer);
  }

  private async settleCheck(id: string, last: boolean): Promise<void> {
    const entry = this.options.table.get(id);
    if (!entry || this.isClosed) return;
    let stamp: FileStamp | null = null;
    try {
      stamp = stampOf(await lstat(recordFile(this.runDir(id))));
    } catch {
      // Gone: the read below removes the run.
    }
    if (!sameStamp(stamp, entry.stamp)) await this.request(id, !last);
    else if (!last) this.scheduleSettleCheck(id, true);
  }
}
