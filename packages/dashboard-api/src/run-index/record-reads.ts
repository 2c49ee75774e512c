import type { Stats } from 'node:fs';
import { lstat, realpath } from 'node:fs/promises';
import { join } from 'node:path';
import { recordFile, tryReadRunRecord } from '@runboard/launcher';
import { DASHBOARD_ERROR_CODES } from '../errors.js';
import type { IndexEvents } from './index-events.js';
import type { Limiter } from './limiter.js';
import type { PathWarner } from './path-warnings.js';
import { readProblemOf } from './read-problem.js';
import type { RecordOutcome, RunTable } from './run-table.js';
import { sameStamp, stampOf, toRunView } from './run-view.js';
import type { FileStamp } from './run-view.js';

/** A change arriving within chokidar's 50 ms change throttle is dropped; look again after it. */
const SETTLE_CHECK_MS = 120;

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
  /** Watches a run's `progress.json` once the run is known. */
  watchRecord: (file: string) => void;
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
          limit(() => realpath(runDir)),
          limit(() => lstat(file)),
        ]);
        if (real !== runDir) {
          this.remove(id);
          return;
        }
        stats = fileStats;
      }
    } catch (error) {
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
    const deadlineMs = this.options.readDeadlineMs;
    const result = await limit(() => tryReadRunRecord(runDir, { deadlineMs }));
    if (this.isClosed) return;
    if (result.kind === 'missing') this.remove(id);
    else if (result.kind === 'record') this.apply(id, result, stampOf(stats));
    else {
      const problem = readProblemOf(file, result.error, clock());
      this.apply(id, { kind: 'problem', problem }, stampOf(stats));
    }
  }

  private apply(id: string, outcome: RecordOutcome, stamp: FileStamp | null): void {
    const { table, events, generation, clock } = this.options;
    const changed = table.apply(id, outcome, stamp, generation(), clock());
    this.options.watchRecord(recordFile(this.runDir(id)));
    if (changed) events.publish({ type: 'run', run: toRunView(changed) });
  }

  private remove(id: string): void {
    if (this.options.table.remove(id)) this.options.events.publish({ type: 'removed', id });
  }

  private scheduleSettleCheck(id: string): void {
    if (this.isClosed || this.settleTimers.has(id)) return;
    const timer = setTimeout(() => {
      this.settleTimers.delete(id);
      void this.settleCheck(id);
    }, SETTLE_CHECK_MS);
    timer.unref();
    this.settleTimers.set(id, timer);
  }

  private async settleCheck(id: string): Promise<void> {
    const entry = this.options.table.get(id);
    if (!entry || this.isClosed) return;
    let stamp: FileStamp | null = null;
    try {
      stamp = stampOf(await lstat(recordFile(this.runDir(id))));
    } catch {
      // Gone: the read below removes the run.
    }
    if (!sameStamp(stamp, entry.stamp)) await this.request(id, false);
  }
}
