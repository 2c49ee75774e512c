import { realpath, stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { isValidRunId, recordFile } from '@runboard/launcher';
import { DASHBOARD_ERROR_CODES, DashboardRootError } from '../errors.js';
import { IndexEvents } from './index-events.js';
import type { RunIndexListener } from './index-events.js';
import { createLimiter } from './limiter.js';
import type { Limiter } from './limiter.js';
import { createPathWarner } from './path-warnings.js';
import type { PathWarner } from './path-warnings.js';
import { queryRuns } from './query.js';
import type { RunListPage, RunListQuery } from './query.js';
import { RecordReads } from './record-reads.js';
import { WATCH_MODES, resolveRunIndexOptions } from './run-index-options.js';
import type { ResolvedRunIndexOptions, RunIndexOptions, WatchMode } from './run-index-options.js';
import { RunTable } from './run-table.js';
import { RunWatcher } from './run-watcher.js';
import { sameStamp, stampOf, toRunView } from './run-view.js';
import type { RunView } from './run-view.js';
import { summarizeRuns } from './summary.js';
import type { DashboardSummary } from './summary.js';
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
  private readonly limit: Limiter;
  private readonly warnPath: PathWarner;
  private readonly table: RunTable;
  private readonly events: IndexEvents;
  private readonly reads: RecordReads;
  private readonly watcher: RunWatcher | undefined;
  private readonly timers = new Set<NodeJS.Timeout>();
  private generation = 0;
  private scanning: Promise<void> | undefined;
  private isClosed = false;

  private constructor(root: string, options: ResolvedRunIndexOptions) {
    this.root = root;
    this.options = options;
    this.limit = createLimiter(options.concurrency);
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
      watchRecord: (file) => void this.watcher?.watch(file),
      warnPath: this.warnPath,
    });
  }

  /**
   * Scans `options.root` and starts watching it. Resolves once every run found is indexed;
   * the watcher finishes starting in the background (see {@link RunIndex.whenWatching}).
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
    await index.start();
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

  /** Resolves when the watcher has finished its first pass (at once without a watcher). */
  whenWatching(): Promise<void> {
    return this.watcher?.whenReady() ?? Promise.resolve();
  }

  /** The run `id`, or `undefined` when there is none. */
  get(id: string): RunView | undefined {
    const entry = this.table.get(id);
    return entry ? toRunView(entry) : undefined;
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
    return queryRuns(this.table.values(), query);
  }

  /** Counts, overall percent and ETA of the whole set. */
  summary(): DashboardSummary {
    return summarizeRuns(this.table.values(), this.options.clock());
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

  /** Re-evaluates every run's derived state now (it also happens every `refreshIntervalMs`). */
  refresh(): void {
    if (this.isClosed) return;
    for (const entry of this.table.refresh(this.options.clock()))
      this.events.publish({ type: 'run', run: toRunView(entry) });
  }

  /** Stops watching and timers, waits for reads in flight, and ends every subscription. */
  async close(): Promise<void> {
    if (this.isClosed) return;
    this.isClosed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.events.stopSummaries();
    const readsDone = this.reads.close();
    await this.watcher?.close();
    await readsDone;
    await this.scanning?.catch(() => {});
    this.events.close();
  }

  private async start(): Promise<void> {
    await this.rescan();
    if (this.options.rescanIntervalMs > 0)
      this.every(this.options.rescanIntervalMs, () => void this.rescan());
    this.every(this.options.refreshIntervalMs, () => this.refresh());
    this.watcher?.start(this.options.poll ? WATCH_MODES.poll : WATCH_MODES.events);
  }

  private every(intervalMs: number, task: () => void): void {
    const timer = setInterval(task, intervalMs);
    timer.unref();
    this.timers.add(timer);
  }

  private later(delayMs: number, task: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (!this.isClosed) task();
    }, delayMs);
    timer.unref();
    this.timers.add(timer);
  }

  private folderPath(id: string): string {
    return id === '' ? this.root : join(this.root, ...id.split('/'));
  }

  /** Walks the whole root (`''`: a rescan) or the folder `startId` and what is below it. */
  private async walk(startId = ''): Promise<void> {
    const generation = startId === '' ? ++this.generation : this.generation;
    if (startId !== '' && (await this.isLinkedFolder(startId))) return;
    await walkRuns(this.root, {
      limit: this.limit,
      workers: this.options.concurrency,
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
        if (this.isClosed || !isValidRunId(id)) return undefined;
        const entry = this.table.get(id);
        if (entry) {
          entry.generation = generation;
          if (sameStamp(entry.stamp, stampOf(stats))) {
            this.watcher?.watch(recordFile(this.folderPath(id)));
            return undefined;
          }
        }
        return this.reads.request(id, false, stats);
      },
      onError: (path, error) => this.warnPath(DASHBOARD_ERROR_CODES.scanError, path, error),
    });
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
    for (const delay of NEW_FOLDER_SETTLE_MS) this.later(delay, () => this.walkFolder(id));
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
