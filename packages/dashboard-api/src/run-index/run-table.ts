import { deriveState, isTerminalStatus } from '@runboard/launcher';
import type { DeriveStateOptions, DerivedStateThresholds, RunRecord } from '@runboard/launcher';
import { UNREADABLE_STATUS, emptyStatusCounts } from './dashboard-status.js';
import type { StatusCounts } from './dashboard-status.js';
import { RunOrder } from './run-order.js';
import type { RunSortKey, SortOrder } from './run-order.js';
import { listRecordOf, newRunEntry, percentOf } from './run-view.js';
import type { FileStamp, RunEntry, RunReadProblem } from './run-view.js';

/** What one read of a run's `progress.json` found, as the table takes it. */
export type RecordOutcome =
  | {
      kind: 'record';
      record: RunRecord;
      /** A hash of the record's content, to tell a real change from a rewrite of the same. */
      hash: string;
    }
  | { kind: 'problem'; problem: RunReadProblem };

export interface RunTableOptions {
  thresholds: DerivedStateThresholds;
  isProcessAlive: DeriveStateOptions['isProcessAlive'];
}

/**
 * The runs the index knows, by id, with what every list, filter and summary needs computed
 * once per change: the shown status (stored, derived or `unreadable`), percent and sort keys,
 * the counts by status, and the runs in each sort order asked for ({@link RunOrder}). It keeps
 * the last good list record (see `listRecordOf`) of a run whose latest read failed.
 */
export class RunTable {
  private readonly entries = new Map<string, RunEntry>();
  private readonly counts = emptyStatusCounts();
  private readonly order = new RunOrder(this);
  /** Grows when a run is added or removed. */
  membershipVersion = 0;
  /** Grows when a run is added or removed or its status, percent or updatedAt changes. */
  keysVersion = 0;

  constructor(private readonly options: RunTableOptions) {}

  /** Runs by shown status; do not change the object. */
  statusCounts(): Readonly<StatusCounts> {
    return this.counts;
  }

  /** The runs in the order of `sort` and `order`. */
  ordered(sort: RunSortKey, order: SortOrder): readonly RunEntry[] {
    return this.order.ordered(sort, order);
  }

  get size(): number {
    return this.entries.size;
  }

  has(id: string): boolean {
    return this.entries.has(id);
  }

  get(id: string): RunEntry | undefined {
    return this.entries.get(id);
  }

  values(): IterableIterator<RunEntry> {
    return this.entries.values();
  }

  ids(): IterableIterator<string> {
    return this.entries.keys();
  }

  /**
   * Takes a read of run `id` (adding the run if new); resolves with its entry when what is
   * shown of it changed (a new run, another record, another read problem), else `undefined`.
   */
  apply(
    id: string,
    outcome: RecordOutcome,
    stamp: FileStamp | null,
    generation: number,
    now: number,
  ): RunEntry | undefined {
    let entry = this.entries.get(id);
    let changed = false;
    if (!entry) {
      entry = newRunEntry(id, generation);
      this.entries.set(id, entry);
      this.counts[entry.status] += 1;
      this.membershipVersion += 1;
      this.keysVersion += 1;
      changed = true;
    }
    entry.stamp = stamp;
    entry.generation = generation;
    if (outcome.kind === 'record') {
      if (outcome.hash !== entry.recordHash || entry.readError !== null) {
        const record = listRecordOf(outcome.record);
        // The id's text once in memory rather than twice per run.
        if (record.id === entry.id) record.id = entry.id;
        entry.record = record;
        entry.recordHash = outcome.hash;
        entry.readError = null;
        changed = true;
      }
    } else if (
      entry.readError?.code !== outcome.problem.code ||
      entry.readError.message !== outcome.problem.message
    ) {
      entry.readError = outcome.problem;
      changed = true;
    }
    this.derive(entry, now);
    return changed ? entry : undefined;
  }

  /** Forgets run `id`; whether there was one. */
  remove(id: string): boolean {
    const entry = this.entries.get(id);
    if (!entry) return false;
    this.entries.delete(id);
    this.counts[entry.status] -= 1;
    this.membershipVersion += 1;
    this.keysVersion += 1;
    return true;
  }

  /** Re-evaluates every run's derived state at `now`; the entries whose shown status changed. */
  refresh(now: number): RunEntry[] {
    const changed: RunEntry[] = [];
    for (const entry of this.entries.values()) if (this.derive(entry, now)) changed.push(entry);
    return changed;
  }

  /** Ids of the runs that no walk since `generation` has met. */
  unseenSince(generation: number): string[] {
    const ids: string[] = [];
    for (const entry of this.entries.values())
      if (entry.generation < generation) ids.push(entry.id);
    return ids;
  }

  /** Job and supervisor pids of the unfinished runs recorded on `host`, mapped to their ids. */
  pidsOnHost(host: string): Map<number, string> {
    const pids = new Map<number, string>();
    for (const entry of this.entries.values()) {
      const record = entry.record;
      if (!record || record.host !== host || isTerminalStatus(record.status)) continue;
      if (record.supervisorPid) pids.set(record.supervisorPid, entry.id);
      if (record.pid) pids.set(record.pid, entry.id);
    }
    return pids;
  }

  /** Updates the entry's shown status and sort keys; tells whether the status changed. */
  private derive(entry: RunEntry, now: number): boolean {
    const record = entry.record;
    const derivedState = record
      ? (deriveState(record, {
          now,
          thresholds: this.options.thresholds,
          isProcessAlive: this.options.isProcessAlive,
        }) ?? null)
      : null;
    const status = entry.readError || !record ? UNREADABLE_STATUS : (derivedState ?? record.status);
    const changed = status !== entry.status || derivedState !== entry.derivedState;
    const percent = percentOf(record);
    const updatedAtMs = record ? Date.parse(record.updatedAt) || 0 : 0;
    if (status !== entry.status || percent !== entry.percent || updatedAtMs !== entry.updatedAtMs)
      this.keysVersion += 1;
    this.counts[entry.status] -= 1;
    this.counts[status] += 1;
    entry.status = status;
    entry.derivedState = derivedState;
    entry.percent = percent;
    entry.updatedAtMs = updatedAtMs;
    return changed;
  }
}
