import { realpath, stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { isValidRunId, recordFile } from '@runboard/launcher';
import { DASHBOARD_ERROR_CODES, DashboardRootError } from '../errors.js';
import { IndexEvents } from './index-events.js';
import type { RunIndexListener } from './index-events.js';
import { IndexTimers } from './index-timers.js';
import { createLimiter } from './limiter.js';
import type { Limiter } from './limiter.js';
import { LiveLaunchers } from './live-launchers.js';
import { createPathWarner } from './path-warnings.js';
import type { PathWarner } from './path-warnings.js';
import { queryRuns } from './query.js';
import type { RunListPage, RunListQuery } from './query.js';
import { RecordReads } from './record-reads.js';
import { WATCH_MODES, resolveRunIndexOptions } from './run-index-options.js';
import type { ResolvedRunIndexOptions, RunIndexOptions, WatchMode } from './run-index-options.js';
import { RunTable } from './run-table.js';
import { RunWatcher } from './run-watcher.js';
import { isActiveEntry, sameStamp, stampOf, toRunView } from './run-view.js';
import type { RunEntry, RunView } from './run-view.js';
import { summarizeRuns } from './summary.js';
import type { DashboardSummary, IndexingProgress } from './summary.js';
import { walkRuns } from './walk-runs.js';

export { WATCH_MODES } from './run-index-options.js';
export type { RunIndexOptions, WatchMode, WatcherFactory } from './run-index-options.js';
export type { RunIndexEvent, RunIndexListener } from './index-events.js';

/** When to look into a new folder again: its watch may come into place late on a loaded machine. */
const NEW_FOLDER_SETTLE_MS = [500, 2_000, 8_000] as const;

/**
 * A live, read-only index of the runs under a root folder: one scan at start (bounded
 * concurrency), then file events (chokidar) and a periodic cheap rescan. It keeps the last good
 * record of each run; a run whose `progress.json` cannot be read shows as `unreadable` with the
 * error, and other runs are unaffected. It never writes into run folders.
 *
 * The parts behind it: a {@link RunTable} (the runs and their shown states), {@link RecordReads}
 * (reads of `progress.json`), a {@link RunWatcher} (file events) and {@link IndexEvents} (the
 * subscribers).
 *
 * @example
 * const index = await RunIndex.open({ root: '/data/logs' });
 * const page = index.list({ status: ['running'], sort: 'updatedAt', order: 'desc', limit: 50 });
 * const stop = index.subscribe((event) => console.log(event.type));
 * // …
 * stop();
 * await index.close();
 */
export class RunIndex {
  /** The root folder, absolute and with symbolic links resolved. */
  readonly root: string;
  private readonly options: ResolvedRunIndexOptions;
  /** Asynchronous file operations: reads for events, retried reads, checks of new folders. */
  private readonly limit: Limiter;
  private readonly launchers: LiveLaunchers;
  private readonly warnPath: PathWarner;
  private readonly table: RunTable;
  private readonly events: IndexEvents;
  private readonly reads: RecordReads;
  private readonly watcher: RunWatcher | undefined;
  private readonly timers = new IndexTimers();
  private generation = 0;
  private scanning: Promise<void> | undefined;
  /** Until the first scan is complete: the runs found so far, and whether the walk is done. */
  private firstScan: { found: number; walked: boolean } | null = { found: 0, walked: false };
  private indexed: Promise<void> = Promise.resolve();
  private isClosed = false;

  private constructor(root: string, options: ResolvedRunIndexOptions) {
    this.root = root;
    this.options = options;
    this.limit = createLimiter(options.concurrency);
    this.launchers = new LiveLaunchers(root, options.liveLaunchers);
    this.warnPath = createPathWarner(options.onWarning);
    this.table = new RunTable(options);
    this.events = new IndexEvents({
      summaryIntervalMs: options.summaryIntervalMs,
      clock: options.clock,
      summarize: () => this.summary(),
    });
    this.watcher = options.watch
      ? new RunWatcher({
          root,
          maxDepth: options.maxDepth,
          pollIntervalMs: options.pollIntervalMs,
          factory: options.watcherFactory,
          runs: this.table,
          onRecord: (id, event) => void this.reads.request(id, event !== 'unlink'),
          onFolderAdded: (id) => {
            this.walkFolder(id);
            // A file created between the walk listing a new folder and its watch being in
            // place is seen by neither: look again as the folder settles.
            this.walkAgainAsItSettles(id);
          },
          onFolderRemoved: (prefix) => {
            for (const id of this.table.ids())
              if (id === prefix || id.startsWith(`${prefix}/`)) void this.reads.request(id, false);
          },
          // Catch what changed between the first scan and the watcher being in place.
          onReady: () => this.rescan(),
          onWarning: options.onWarning,
          warnPath: this.warnPath,
        })
      : undefined;
    this.reads = new RecordReads({
      root,
      table: this.table,
      events: this.events,
      limit: this.limit,
      readDeadlineMs: options.readDeadlineMs,
      clock: options.clock,
      generation: () => this.generation,
      watchRecord: (id, file, active) => this.watchRecord(id, file, active),
      view: (entry) => this.view(entry),
      warnPath: this.warnPath,
    });
  }

  /**
   * Scans `options.root` and starts watching it. Resolves once every run found is indexed
   * (with `background: true`: at once, see {@link RunIndex.whenIndexed}); the watcher finishes
   * starting in the background (see {@link RunIndex.whenWatching}).
   *
   * @throws {DashboardRootError} when the root is not a readable folder.
   * @throws {TypeError} for an invalid option.
   */
  static async open(options: RunIndexOptions): Promise<RunIndex> {
    const resolved = resolveRunIndexOptions(options);
    let root: string;
    try {
      root = await realpath(resolve(options.root));
      if (!(await stat(root)).isDirectory())
        throw Object.assign(new Error('not a folder'), { code: 'ENOTDIR' });
    } catch (error) {
      throw new DashboardRootError(options.root, { cause: error });
    }
    const index = new RunIndex(root, resolved);
    index.indexed = index.start();
    if (!resolved.background) await index.indexed;
    else index.indexed.catch(() => {}); // whenIndexed() callers see the failure.
    return index;
  }

  /** Number of runs. */
  get size(): number {
    return this.table.size;
  }

  /** How the index learns about changes now; `poll` after running out of OS watches. */
  get watchMode(): WatchMode {
    return this.watcher?.mode ?? WATCH_MODES.off;
  }

  /** Whether {@link RunIndex.close} was called. */
  get closed(): boolean {
    return this.isClosed;
  }

  /** Number of live subscriptions (SSE clients among them). */
  get subscriberCount(): number {
    return this.events.size;
  }

  /** Resolves when the first scan has indexed every run it found. */
  whenIndexed(): Promise<void> {
    return this.indexed;
  }

  /** While the first scan runs: runs indexed, and found in all (`null` until the walk is done). */
  get indexing(): IndexingProgress | null {
    const scan = this.firstScan;
    return scan ? { indexed: this.table.size, total: scan.walked ? scan.found : null } : null;
  }

  /** Resolves when the watcher has finished its first pass (at once without a watcher). */
  whenWatching(): Promise<void> {
    return this.watcher?.whenReady() ?? Promise.resolve();
  }

  /** The run `id` as lists send it (its list record), or `undefined` when there is none. */
  get(id: string): RunView | undefined {
    const entry = this.table.get(id);
    return entry ? this.view(entry) : undefined;
  }

  /**
   * The run `id` with its whole record (`metrics`, `errorTail`, `finalWriteError` …), read from
   * its `progress.json` now: the index keeps only list records. When that read fails, the
   * list view; `undefined` when there is no run `id`.
   *
   * @example
   * const run = await index.detail('cdd/run_2'); // run?.record?.errorTail
   */
  async detail(id: string): Promise<RunView | undefined> {
    if (!this.table.has(id)) return undefined;
    const record = await this.reads.readWhole(id);
    const entry = this.table.get(id);
    if (!entry) return undefined;
    return toRunView(entry, this.launchers.count, entry.readError ? entry.record : record);
  }

  /** Whether there is a run `id`. */
  has(id: string): boolean {
    return this.table.has(id);
  }

  /**
   * Process ids (job and supervisor) of the unfinished runs recorded on `host` (default: this
   * machine), mapped to their run ids; used to label GPU processes.
   */
  localRunPids(host: string = hostname()): Map<number, string> {
    return this.table.pidsOnHost(host);
  }

  /** Every run id, in no particular order. */
  ids(): string[] {
    return [...this.table.ids()];
  }

  /**
   * One page of runs.
   *
   * @throws {InvalidRunQueryError} for a bad `status`, `sort`, `order`, `limit` or `cursor`.
   * @example
   * const { runs, nextCursor, total, counts } = index.list({ q: 'cdd', limit: 100 });
   */
  list(query: RunListQuery = {}): RunListPage {
    return queryRuns(this.table, query, (entry) => this.view(entry));
  }

  /** Counts, overall percent and ETA of the whole set. */
  summary(): DashboardSummary {
    return summarizeRuns(this.table.values(), this.options.clock(), this.indexing);
  }

  /**
   * Calls `listener` for every change from now on; `onClose` when the index closes.
   * Returns the function that ends the subscription.
   *
   * @example
   * const unsubscribe = index.subscribe((event) => {
   *   if (event.type === 'run') console.log(event.run.id, event.run.status);
   * });
   */
  subscribe(listener: RunIndexListener, onClose?: () => void): () => void {
    return this.events.subscribe(listener, onClose);
  }

  /** A number that grows with every event, for SSE `id:` fields. */
  get lastEventId(): number {
    return this.events.lastEventId;
  }

  /**
   * Walks the root again: reads new and changed `progress.json` files (by inode, size and
   * times), drops runs whose folder is gone. Runs by itself every `rescanIntervalMs`.
   */
  rescan(): Promise<void> {
    this.scanning ??= this.walk().finally(() => {
      this.scanning = undefined;
    });
    return this.scanning;
  }

  /**
   * Re-evaluates every run's derived state now, and looks at the root's live launchers again
   * (it also happens every `refreshIntervalMs`).
   */
  async refresh(): Promise<void> {
    if (this.isClosed) return;
    for (const entry of this.table.refresh(this.options.clock()))
      this.events.publish({ type: 'run', run: this.view(entry) });
    if (!(await this.launchers.refresh()) || this.isClosed) return;
    for (const entry of this.table.values())
      if (entry.record?.status === 'queued')
        this.events.publish({ type: 'run', run: this.view(entry) });
  }

  /** Stops watching and timers, waits for reads in flight, and ends every subscription. */
  async close(): Promise<void> {
    if (this.isClosed) return;
    this.isClosed = true;
    this.timers.clear();
    this.events.stopSummaries();
    const readsDone = this.reads.close();
    await this.watcher?.close();
    await readsDone;
    await this.scanning?.catch(() => {});
    this.events.close();
  }

  private async start(): Promise<void> {
    await Promise.all([this.launchers.refresh(), this.rescan()]);
    this.firstScan = null;
    if (this.isClosed) return;
    this.events.publishSummarySoon();
    if (this.options.rescanIntervalMs > 0)
      this.timers.every(this.options.rescanIntervalMs, () => void this.rescan());
    this.timers.every(this.options.refreshIntervalMs, () => void this.refresh());
    // Changes during the first scan are caught by the rescan once the watcher is ready.
    this.watcher?.start(this.options.poll ? WATCH_MODES.poll : WATCH_MODES.events);
  }

  private view(entry: RunEntry): RunView {
    return toRunView(entry, this.launchers.count);
  }

  /** Active runs' records are watched; finished ones are left to the rescan's `stat` sweep. */
  private watchRecord(id: string, file: string, active: boolean): void {
    if (!this.watcher) return;
    if (!active) this.watcher.unwatch(file);
    // A write landing before the new watch is in place is seen by no event: look again soon.
    else if (this.watcher.watch(file) && this.watcher.started) this.reads.checkSoon(id);
  }

  private folderPath(id: string): string {
    return id === '' ? this.root : join(this.root, ...id.split('/'));
  }

  /** Walks the whole root (`''`: a rescan) or the folder `startId` and what is below it. */
  private async walk(startId = ''): Promise<void> {
    const generation = startId === '' ? ++this.generation : this.generation;
    if (startId !== '' && (await this.isLinkedFolder(startId))) return;
    let reads: Promise<void> = Promise.resolve();
    await walkRuns(this.root, {
      stopped: () => this.isClosed,
      maxDepth: this.options.maxDepth,
      startId,
      onFolder: (id) => {
        // A folder this walk met after the watcher started is watched from now on, but a file
        // created in it while its watch comes into place is reported by no event (chokidar
        // ignores what it finds initially): look again as the folder settles.
        if (this.watcher?.watch(this.folderPath(id)) && this.watcher.started)
          this.walkAgainAsItSettles(id);
      },
      onRun: (id, stats) => {
        if (this.isClosed || !isValidRunId(id)) return;
        if (this.firstScan) this.firstScan.found += 1;
        const entry = this.table.get(id);
        if (entry) {
          entry.generation = generation;
          if (sameStamp(entry.stamp, stampOf(stats))) {
            this.watchRecord(id, recordFile(this.folderPath(id)), isActiveEntry(entry));
            return;
          }
        }
        // Not awaited: the walk goes on and finds every run (the total) while reads queue.
        reads = this.reads.enqueue(id);
      },
      onError: (path, error) => this.warnPath(DASHBOARD_ERROR_CODES.scanError, path, error),
    });
    if (startId === '' && this.firstScan) this.firstScan.walked = true;
    await reads;
    if (this.isClosed || startId !== '') return;
    // A run not met by the walk may have been added meanwhile through an event; read it again
    // rather than drop it: the read drops it only if its progress.json is really gone.
    const unseen = this.table.unseenSince(generation).filter((id) => !this.reads.isReading(id));
    await Promise.all(unseen.map((id) => this.reads.request(id, false)));
  }

  /** Whether the folder is reached through a symbolic link (a walk never follows one). */
  private async isLinkedFolder(id: string): Promise<boolean> {
    const path = this.folderPath(id);
    try {
      return (await this.limit(() => realpath(path))) !== path;
    } catch {
      return false; // Gone, or unreadable: the walk finds out and says so.
    }
  }

  private walkFolder(id: string): void {
    void this.walk(id).catch((error: NodeJS.ErrnoException) =>
      this.warnPath(DASHBOARD_ERROR_CODES.scanError, this.folderPath(id), error),
    );
  }

  private walkAgainAsItSettles(id: string): void {
    for (const delay of NEW_FOLDER_SETTLE_MS) this.timers.later(delay, () => this.walkFolder(id));
  }
}

/**
 * Scans `root` and starts watching it; same as {@link RunIndex.open}.
 *
 * @example
 * const index = await createRunIndex({ root: 'logs', thresholds: { stalledAfterSeconds: 120 } });
 */
export function createRunIndex(options: RunIndexOptions): Promise<RunIndex> {
  return RunIndex.open(options);
}
