import { createHash } from 'node:crypto';
import type { Stats } from 'node:fs';
import { lstat, realpath, stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { watch } from 'chokidar';
import type { ChokidarOptions, FSWatcher } from 'chokidar';
import {
  DEFAULT_DERIVED_STATE_THRESHOLDS,
  RUN_FILES,
  deriveState,
  isLocalProcessAlive,
  isTerminalStatus,
  isValidRunId,
} from '@runboard/launcher';
import type { DeriveStateOptions, DerivedStateThresholds } from '@runboard/launcher';
import { DASHBOARD_ERROR_CODES, DashboardRootError, DashboardWarning } from '../errors.js';
import type { DashboardErrorCode } from '../errors.js';
import { UNREADABLE_STATUS } from './dashboard-status.js';
import { isRunRecordName, isSearchableFolderName } from './ignored-names.js';
import { createLimiter } from './limiter.js';
import type { Limiter } from './limiter.js';
import { queryRuns } from './query.js';
import type { RunListPage, RunListQuery } from './query.js';
import { readRecordFile } from './read-record.js';
import type { RecordReadResult } from './read-record.js';
import { percentOf, sameStamp, toRunView } from './run-view.js';
import type { FileStamp, RunEntry, RunReadProblem, RunView } from './run-view.js';
import { summarizeRuns } from './summary.js';
import { walkRuns } from './walk-runs.js';
import { WatcherShards } from './watcher-shards.js';
import type { DashboardSummary } from './summary.js';

/** How the index learns about changes. */
export const WATCH_MODES = {
  /** OS file events (inotify, FSEvents …) through chokidar. */
  events: 'events',
  /** chokidar polling (`usePolling`): asked for, or the OS ran out of watches. */
  poll: 'poll',
  /** No watcher (`watch: false`): only rescans. */
  off: 'off',
} as const;

export type WatchMode = (typeof WATCH_MODES)[keyof typeof WATCH_MODES];

/** A change in the index, as the SSE stream sends it. */
export type RunIndexEvent =
  | { type: 'run'; run: RunView }
  | { type: 'removed'; id: string }
  | { type: 'summary'; summary: DashboardSummary };

export type RunIndexListener = (event: RunIndexEvent) => void;

/** Makes the file watcher; chokidar's `watch` unless replaced (a seam for tests). */
export type WatcherFactory = (paths: string[], options: ChokidarOptions) => FSWatcher;

export interface RunIndexOptions {
  /** The folder that holds the run folders. */
  root: string;
  /** Watch for changes (default `true`). `false`: a snapshot, refreshed only by rescans. */
  watch?: boolean;
  /** Poll instead of OS file events (network file systems). Default `false`. */
  poll?: boolean;
  /** Poll interval per watched path. Default 2000 ms. */
  pollIntervalMs?: number;
  /** Safety-net rescan (a stat of every `progress.json`) interval; `0` turns it off. Default 30 000 ms. */
  rescanIntervalMs?: number;
  /** How often derived states (`stalled`, `stuck`, `outdated`) are re-evaluated. Default 5000 ms. */
  refreshIntervalMs?: number;
  /** Least time between two `summary` events. Default 250 ms. */
  summaryIntervalMs?: number;
  /** File-system operations in flight at once. Default 32. */
  concurrency?: number;
  /** How deep below the root run folders are searched. Default 12. */
  maxDepth?: number;
  /** How long a read of a `progress.json` retries a transient failure. Default 1000 ms. */
  readDeadlineMs?: number;
  /** Thresholds of the derived states; defaults from `@runboard/launcher`. */
  thresholds?: Partial<DerivedStateThresholds>;
  /**
   * Liveness probe of a run's supervisor; default `isLocalProcessAlive` (this host only).
   * `false` turns the probe off.
   */
  isProcessAlive?: DeriveStateOptions['isProcessAlive'] | false;
  /** Receives warnings (the switch to polling, unreadable folders). Default `process.emitWarning`. */
  onWarning?: (warning: DashboardWarning) => void;
  /** The clock, ms since the epoch. Default `Date.now`. */
  clock?: () => number;
  /** Replaces chokidar's `watch` (tests). */
  watcherFactory?: WatcherFactory;
}

const WATCH_LIMIT_CODES = new Set(['ENOSPC', 'EMFILE', 'ENFILE']);
/** A change arriving within chokidar's 50 ms change throttle is dropped; look again after it. */
const SETTLE_CHECK_MS = 120;
const MAX_WARNED_PATHS = 20;
/** When to look into a new folder again: its watch may come into place late on a loaded machine. */
const NEW_FOLDER_SETTLE_MS = [500, 2_000, 8_000] as const;

interface ReadState {
  again: boolean;
  done: Promise<void>;
}

/**
 * A live, read-only index of the runs under a root folder: one scan at start (bounded
 * concurrency), then file events (chokidar) and a periodic cheap rescan. It keeps the last good
 * record of each run; a run whose `progress.json` cannot be read shows as `unreadable` with the
 * error, and other runs are unaffected. It never writes into run folders.
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
  private readonly options: Required<
    Omit<
      RunIndexOptions,
      'root' | 'thresholds' | 'isProcessAlive' | 'onWarning' | 'clock' | 'watcherFactory'
    >
  >;
  private readonly thresholds: DerivedStateThresholds;
  private readonly isProcessAlive: DeriveStateOptions['isProcessAlive'];
  private readonly onWarning: (warning: DashboardWarning) => void;
  private readonly clock: () => number;
  private readonly watcherFactory: WatcherFactory;
  private readonly limit: Limiter;
  private readonly entries = new Map<string, RunEntry>();
  private readonly reads = new Map<string, ReadState>();
  private readonly settleTimers = new Map<string, NodeJS.Timeout>();
  private readonly listeners = new Map<RunIndexListener, (() => void) | undefined>();
  private readonly warnedPaths = new Set<string>();
  /** What the watcher watches: folders that may hold runs (not recursively), and run records. */
  private readonly watchedPaths = new Set<string>();
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly pendingTimeouts = new Set<NodeJS.Timeout>();
  private summaryTimer: NodeJS.Timeout | undefined;
  private lastSummaryAt = 0;
  private generation = 0;
  private scanning: Promise<void> | undefined;
  private watcher: WatcherShards | undefined;
  private watcherReady: Promise<void> = Promise.resolve();
  /** The watcher's first batch is in place: folders met from now on are new to it. */
  private watcherStarted = false;
  private mode: WatchMode = WATCH_MODES.off;
  private isClosed = false;
  private eventSequence = 0;

  private constructor(root: string, options: RunIndexOptions) {
    this.root = root;
    this.options = {
      watch: options.watch ?? true,
      poll: options.poll ?? false,
      pollIntervalMs: positiveInteger('pollIntervalMs', options.pollIntervalMs, 2000),
      rescanIntervalMs: nonNegativeInteger('rescanIntervalMs', options.rescanIntervalMs, 30_000),
      refreshIntervalMs: positiveInteger('refreshIntervalMs', options.refreshIntervalMs, 5000),
      summaryIntervalMs: nonNegativeInteger('summaryIntervalMs', options.summaryIntervalMs, 250),
      concurrency: positiveInteger('concurrency', options.concurrency, 32),
      maxDepth: positiveInteger('maxDepth', options.maxDepth, 12),
      readDeadlineMs: nonNegativeInteger('readDeadlineMs', options.readDeadlineMs, 1000),
    };
    this.thresholds = { ...DEFAULT_DERIVED_STATE_THRESHOLDS, ...options.thresholds };
    this.isProcessAlive =
      options.isProcessAlive === false
        ? undefined
        : (options.isProcessAlive ?? isLocalProcessAlive);
    this.onWarning = options.onWarning ?? ((warning) => process.emitWarning(warning));
    this.clock = options.clock ?? Date.now;
    this.watcherFactory = options.watcherFactory ?? watch;
    this.limit = createLimiter(this.options.concurrency);
  }

  /**
   * Scans `options.root` and starts watching it. Resolves once every run found is indexed;
   * the watcher finishes starting in the background (see {@link RunIndex.whenWatching}).
   *
   * @throws {DashboardRootError} when the root is not a readable folder.
   * @throws {TypeError} for an invalid option.
   */
  static async open(options: RunIndexOptions): Promise<RunIndex> {
    if (typeof options !== 'object' || options === null)
      throw new TypeError('Expected `options` to be an object');
    if (typeof options.root !== 'string' || options.root === '') {
      throw new TypeError('Expected `root` to be a non-empty string');
    }
    let root: string;
    try {
      root = await realpath(resolve(options.root));
      if (!(await stat(root)).isDirectory())
        throw Object.assign(new Error('not a folder'), { code: 'ENOTDIR' });
    } catch (error) {
      throw new DashboardRootError(options.root, { cause: error });
    }
    const index = new RunIndex(root, options);
    await index.start();
    return index;
  }

  /** Number of runs. */
  get size(): number {
    return this.entries.size;
  }

  /** How the index learns about changes now; `poll` after running out of OS watches. */
  get watchMode(): WatchMode {
    return this.mode;
  }

  /** Whether {@link RunIndex.close} was called. */
  get closed(): boolean {
    return this.isClosed;
  }

  /** Number of live subscriptions (SSE clients among them). */
  get subscriberCount(): number {
    return this.listeners.size;
  }

  /** Resolves when the watcher has finished its first pass (at once without a watcher). */
  whenWatching(): Promise<void> {
    return this.watcherReady;
  }

  /** The run `id`, or `undefined` when there is none. */
  get(id: string): RunView | undefined {
    const entry = this.entries.get(id);
    return entry ? toRunView(entry) : undefined;
  }

  /** Whether there is a run `id`. */
  has(id: string): boolean {
    return this.entries.has(id);
  }

  /**
   * Process ids (job and supervisor) of the unfinished runs recorded on `host` (default: this
   * machine), mapped to their run ids; used to label GPU processes.
   */
  localRunPids(host: string = hostname()): Map<number, string> {
    const pids = new Map<number, string>();
    for (const entry of this.entries.values()) {
      const record = entry.record;
      if (!record || record.host !== host || isTerminalStatus(record.status)) continue;
      if (record.supervisorPid) pids.set(record.supervisorPid, entry.id);
      if (record.pid) pids.set(record.pid, entry.id);
    }
    return pids;
  }

  /** Every run id, in no particular order. */
  ids(): string[] {
    return [...this.entries.keys()];
  }

  /**
   * One page of runs.
   *
   * @throws {InvalidRunQueryError} for a bad `status`, `sort`, `order`, `limit` or `cursor`.
   * @example
   * const { runs, nextCursor, total, counts } = index.list({ q: 'cdd', limit: 100 });
   */
  list(query: RunListQuery = {}): RunListPage {
    return queryRuns(this.entries.values(), query);
  }

  /** Counts, overall percent and ETA of the whole set. */
  summary(): DashboardSummary {
    return summarizeRuns(this.entries.values(), this.clock());
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
    if (typeof listener !== 'function') throw new TypeError('Expected `listener` to be a function');
    if (this.isClosed) {
      onClose?.();
      return () => {};
    }
    this.listeners.set(listener, onClose);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** A number that grows with every event, for SSE `id:` fields. */
  get lastEventId(): number {
    return this.eventSequence;
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
    const now = this.clock();
    let changed = false;
    for (const entry of this.entries.values()) {
      if (this.derive(entry, now)) {
        changed = true;
        this.emit({ type: 'run', run: toRunView(entry) });
      }
    }
    if (changed) this.scheduleSummary();
  }

  /** Stops watching and timers, waits for reads in flight, and ends every subscription. */
  async close(): Promise<void> {
    if (this.isClosed) return;
    this.isClosed = true;
    for (const timer of this.timers) clearInterval(timer);
    for (const timer of this.pendingTimeouts) clearTimeout(timer);
    for (const timer of this.settleTimers.values()) clearTimeout(timer);
    this.settleTimers.clear();
    clearTimeout(this.summaryTimer);
    const watcher = this.watcher;
    this.watcher = undefined;
    this.mode = WATCH_MODES.off;
    await watcher?.close();
    await Promise.allSettled([...this.reads.values()].map((read) => read.done));
    await this.scanning?.catch(() => {});
    const closers = [...this.listeners.values()];
    this.listeners.clear();
    for (const onClose of closers) {
      try {
        onClose?.();
      } catch {
        // A subscriber's close handler must not stop the others.
      }
    }
  }

  private async start(): Promise<void> {
    await this.rescan();
    if (this.options.rescanIntervalMs > 0) {
      this.every(this.options.rescanIntervalMs, () => void this.rescan());
    }
    this.every(this.options.refreshIntervalMs, () => this.refresh());
    if (this.options.watch)
      this.startWatcher(this.options.poll ? WATCH_MODES.poll : WATCH_MODES.events);
  }

  private every(intervalMs: number, task: () => void): void {
    const timer = setInterval(task, intervalMs);
    timer.unref();
    this.timers.push(timer);
  }

  private later(delayMs: number, task: () => void): void {
    const timer = setTimeout(() => {
      this.pendingTimeouts.delete(timer);
      if (!this.isClosed) task();
    }, delayMs);
    timer.unref();
    this.pendingTimeouts.add(timer);
  }

  private async walk(startId = ''): Promise<void> {
    const generation = startId === '' ? ++this.generation : this.generation;
    await walkRuns(this.root, {
      limit: this.limit,
      workers: this.options.concurrency,
      maxDepth: this.options.maxDepth,
      startId,
      onFolder: (id) => {
        const path = id === '' ? this.root : join(this.root, ...id.split('/'));
        const isNew = !this.watchedPaths.has(path);
        this.watchPath(path);
        // A folder this walk met after the watcher started is watched from now on, but a file
        // created in it while its watch comes into place is reported by no event (chokidar
        // ignores what it finds initially): look again as the folder settles.
        if (isNew && this.watcherStarted) this.walkAgainAsItSettles(id);
      },
      onRun: (id, stats) => {
        if (this.isClosed || !isValidRunId(id)) return undefined;
        const entry = this.entries.get(id);
        if (entry) {
          entry.generation = generation;
          if (sameStamp(entry.stamp, stampOf(stats))) {
            this.watchPath(this.recordPath(id));
            return undefined;
          }
        }
        return this.requestRead(id, false, stats);
      },
      onError: (path, error) => this.warnPath(DASHBOARD_ERROR_CODES.scanError, path, error),
    });
    if (this.isClosed || startId !== '') return;
    const unseen = [...this.entries.values()].filter(
      (entry) => entry.generation < generation && !this.reads.has(entry.id),
    );
    // A run not met by the walk may have been added meanwhile through an event; read it again
    // rather than drop it: the read drops it only if its progress.json is really gone.
    await Promise.all(unseen.map((entry) => this.requestRead(entry.id, false)));
  }

  /** Reads the run's record, at most one read per run at a time (a request meanwhile reads again after). */
  private requestRead(id: string, settle: boolean, knownStats?: Stats): Promise<void> {
    const inFlight = this.reads.get(id);
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
          await this.readRun(id, stats);
          stats = undefined;
        } while (state.again && !this.isClosed);
      } catch (error) {
        this.warnPath(
          DASHBOARD_ERROR_CODES.scanError,
          join(this.root, id),
          error as NodeJS.ErrnoException,
        );
      } finally {
        this.reads.delete(id);
      }
      if (settle) this.scheduleSettleCheck(id);
    })();
    this.reads.set(id, state);
    return state.done;
  }

  private async readRun(id: string, knownStats?: Stats): Promise<void> {
    if (this.isClosed) return;
    const file = this.recordPath(id);
    let stats: Stats;
    try {
      stats = knownStats ?? (await this.limit(() => lstat(file)));
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') this.removeRun(id);
      else this.applyRead(id, { kind: 'problem', problem: problemOf(file, error) }, null);
      return;
    }
    // A symbolic link named progress.json could point anywhere: not a run.
    if (!stats.isFile()) {
      this.removeRun(id);
      return;
    }
    const result = await this.limit(() => readRecordFile(file, this.options.readDeadlineMs));
    if (this.isClosed) return;
    if (result.kind === 'missing') this.removeRun(id);
    else this.applyRead(id, result, stampOf(stats));
  }

  private applyRead(
    id: string,
    result: Exclude<RecordReadResult, { kind: 'missing' }>,
    stamp: FileStamp | null,
  ): void {
    let entry = this.entries.get(id);
    let changed = false;
    if (!entry) {
      entry = {
        id,
        idLower: id.toLowerCase(),
        record: null,
        recordHash: null,
        readError: null,
        stamp: null,
        status: UNREADABLE_STATUS,
        derivedState: null,
        percent: null,
        updatedAtMs: 0,
        generation: this.generation,
      };
      this.entries.set(id, entry);
      changed = true;
    }
    entry.stamp = stamp;
    entry.generation = this.generation;
    this.watchPath(this.recordPath(id));
    if (result.kind === 'record') {
      const hash = createHash('sha1').update(JSON.stringify(result.record)).digest('base64');
      if (hash !== entry.recordHash || entry.readError !== null) {
        entry.record = result.record;
        entry.recordHash = hash;
        entry.readError = null;
        changed = true;
      }
    } else if (
      entry.readError?.code !== result.problem.code ||
      entry.readError.message !== result.problem.message
    ) {
      entry.readError = result.problem;
      changed = true;
    }
    this.derive(entry, this.clock());
    if (changed) {
      this.emit({ type: 'run', run: toRunView(entry) });
      this.scheduleSummary();
    }
  }

  /** Updates the entry's shown status and sort keys; tells whether the status changed. */
  private derive(entry: RunEntry, now: number): boolean {
    const record = entry.record;
    const derivedState = record
      ? (deriveState(record, {
          now,
          thresholds: this.thresholds,
          isProcessAlive: this.isProcessAlive,
        }) ?? null)
      : null;
    const status = entry.readError || !record ? UNREADABLE_STATUS : (derivedState ?? record.status);
    const changed = status !== entry.status || derivedState !== entry.derivedState;
    entry.status = status;
    entry.derivedState = derivedState;
    entry.percent = percentOf(record);
    entry.updatedAtMs = record ? Date.parse(record.updatedAt) || 0 : 0;
    return changed;
  }

  private removeRun(id: string): void {
    if (!this.entries.delete(id)) return;
    this.emit({ type: 'removed', id });
    this.scheduleSummary();
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
    const entry = this.entries.get(id);
    if (!entry || this.isClosed) return;
    let stamp: FileStamp | null = null;
    try {
      stamp = stampOf(await lstat(this.recordPath(id)));
    } catch {
      // Gone: the read below removes the run.
    }
    if (!sameStamp(stamp, entry.stamp)) await this.requestRead(id, false);
  }

  private scheduleSummary(): void {
    if (this.summaryTimer || this.isClosed || this.listeners.size === 0) return;
    const wait = Math.max(0, this.lastSummaryAt + this.options.summaryIntervalMs - Date.now());
    this.summaryTimer = setTimeout(() => {
      this.summaryTimer = undefined;
      this.lastSummaryAt = Date.now();
      if (!this.isClosed && this.listeners.size > 0)
        this.emit({ type: 'summary', summary: this.summary() });
    }, wait);
    this.summaryTimer.unref();
  }

  private emit(event: RunIndexEvent): void {
    this.eventSequence += 1;
    for (const listener of this.listeners.keys()) {
      try {
        listener(event);
      } catch {
        // One failing subscriber must not starve the others.
      }
    }
  }

  /**
   * Watches exactly what the walks found: each folder that may hold runs, without recursion
   * (`depth: 0`: its new entries are seen, its sub-folders are not listed), and each run's
   * `progress.json`. Run folders themselves are not watched, so logs and checkpoints being
   * written cost nothing; a new folder is walked when it appears.
   */
  private startWatcher(mode: WatchMode): void {
    const shards = new WatcherShards({
      factory: this.watcherFactory,
      options: {
        ignoreInitial: true,
        followSymlinks: false,
        ignorePermissionErrors: true,
        depth: 0,
        usePolling: mode === WATCH_MODES.poll,
        interval: this.options.pollIntervalMs,
        binaryInterval: this.options.pollIntervalMs,
        ignored: (path, stats) => this.isIgnoredPath(path, stats),
      },
      onEvent: (event, path) => this.onWatchEvent(event, path),
      onError: (watcher, error) => this.onWatchError(shards, watcher, error),
    });
    this.watcher = shards;
    this.mode = mode;
    // Sorted, each folder comes with its runs: a watcher lists every folder given to it at
    // once, so spreading folders over the batches spreads that work too.
    this.watcherReady = shards.start([...this.watchedPaths].sort()).then(async () => {
      this.watcherStarted = true;
      // Catch what changed between the first scan and the watcher being in place.
      if (!this.isClosed && this.watcher === shards) await this.rescan();
    });
  }

  /** Adds a path to the watcher (once). */
  private watchPath(path: string): void {
    if (this.isClosed || !this.options.watch || this.watchedPaths.has(path)) return;
    this.watchedPaths.add(path);
    this.watcher?.add(path);
  }

  /** Forgets watched paths at or below `path` (the watcher dropped them when they vanished). */
  private forgetWatched(path: string): void {
    for (const watched of this.watchedPaths) {
      if (watched === path || watched.startsWith(`${path}${sep}`))
        this.watchedPaths.delete(watched);
    }
  }

  private onWatchError(
    shards: WatcherShards,
    watcher: FSWatcher,
    error: NodeJS.ErrnoException,
  ): void {
    if (this.isClosed || shards !== this.watcher || !shards.owns(watcher)) return;
    if (this.mode === WATCH_MODES.events && WATCH_LIMIT_CODES.has(error.code ?? '')) {
      this.onWarning(
        new DashboardWarning(
          DASHBOARD_ERROR_CODES.polling,
          `The OS ran out of file watches (${error.code}) while watching ${this.root}; ` +
            `polling every ${this.options.pollIntervalMs} ms instead. Raise the limit ` +
            '(e.g. sysctl fs.inotify.max_user_watches=524288) and restart to get instant updates.',
          { cause: error },
        ),
      );
      void shards.close();
      const watching = this.watcherReady;
      this.startWatcher(WATCH_MODES.poll);
      // whenWatching() callers wait for the polling watcher too.
      this.watcherReady = Promise.all([watching, this.watcherReady]).then(() => {});
      return;
    }
    this.warnPath(DASHBOARD_ERROR_CODES.watchError, this.root, error);
  }

  private onWatchEvent(event: string, path: string): void {
    if (this.isClosed) return;
    const relativePath = relative(this.root, path);
    if (relativePath === '' || relativePath.startsWith('..') || isAbsolute(relativePath)) return;
    const segments = relativePath.split(sep);
    if (event === 'add' || event === 'change' || event === 'unlink') {
      if (segments.length < 2 || !isRunRecordName(segments[segments.length - 1])) return;
      const id = segments.slice(0, -1).join('/');
      if (!isValidRunId(id) || this.runAbove(segments, segments.length - 2)) return;
      // chokidar stops watching a file it saw vanish; a read that finds it again re-adds it.
      if (event === 'unlink') this.watchedPaths.delete(path);
      void this.requestRead(id, event !== 'unlink');
    } else if (event === 'addDir') {
      if (this.isIgnoredPath(path)) return;
      const id = segments.join('/');
      this.walkFolder(id);
      // A file created between the walk listing a new folder and its watch being in place is
      // seen by neither: look again as the folder settles (a few walks of one small subtree).
      this.walkAgainAsItSettles(id);
    } else if (event === 'unlinkDir') {
      this.forgetWatched(path);
      const prefix = segments.join('/');
      for (const id of this.entries.keys()) {
        if (id === prefix || id.startsWith(`${prefix}/`)) void this.requestRead(id, false);
      }
    }
  }

  private walkFolder(id: string): void {
    void this.walk(id).catch((error: NodeJS.ErrnoException) =>
      this.warnPath(DASHBOARD_ERROR_CODES.scanError, join(this.root, ...id.split('/')), error),
    );
  }

  private walkAgainAsItSettles(id: string): void {
    for (const delay of NEW_FOLDER_SETTLE_MS) this.later(delay, () => this.walkFolder(id));
  }

  /** chokidar's filter: only folders that may hold runs, and `progress.json` files. */
  private isIgnoredPath(path: string, stats?: Stats): boolean {
    const relativePath = relative(this.root, path);
    if (relativePath === '') return false;
    if (relativePath.startsWith('..') || isAbsolute(relativePath)) return true;
    const segments = relativePath.split(sep);
    const name = segments[segments.length - 1];
    // Inside a run folder only its own progress.json counts (no logs, checkpoints, lock folders).
    if (this.runAbove(segments, segments.length - 2)) return true;
    if (segments.length > 1 && this.entries.has(segments.slice(0, -1).join('/')))
      return !isRunRecordName(name);
    if (isRunRecordName(name)) return stats !== undefined && !stats.isFile();
    if (stats && !stats.isDirectory()) return true;
    return !isSearchableFolderName(name) || segments.length > this.options.maxDepth;
  }

  /** Whether one of the first `count` segments' prefixes is a run. */
  private runAbove(segments: readonly string[], count: number): boolean {
    if (this.entries.size === 0) return false;
    let prefix = '';
    for (let i = 0; i < count; i += 1) {
      prefix = i === 0 ? segments[0] : `${prefix}/${segments[i]}`;
      if (this.entries.has(prefix)) return true;
    }
    return false;
  }

  private recordPath(id: string): string {
    return join(this.root, ...id.split('/'), RUN_FILES.progress);
  }

  /** Warns once per path and error code, and at most {@link MAX_WARNED_PATHS} times in all. */
  private warnPath(code: DashboardErrorCode, path: string, error: NodeJS.ErrnoException): void {
    const key = `${error.code ?? 'ERROR'} ${path}`;
    if (this.warnedPaths.has(key) || this.warnedPaths.size >= MAX_WARNED_PATHS) return;
    this.warnedPaths.add(key);
    this.onWarning(
      new DashboardWarning(
        code,
        `Cannot read ${path} (${error.code ?? error.message}); its runs are not shown`,
        {
          cause: error,
        },
      ),
    );
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

function stampOf(stats: Stats): FileStamp {
  return { ino: stats.ino, size: stats.size, mtimeMs: stats.mtimeMs, ctimeMs: stats.ctimeMs };
}

function problemOf(file: string, error: unknown): RunReadProblem {
  const code = (error as NodeJS.ErrnoException).code ?? 'RUNBOARD_READ_FAILED';
  return { code, message: `Cannot read ${file} (${code})`, at: new Date().toISOString() };
}

function positiveInteger(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1)
    throw new TypeError(`Expected \`${name}\` to be a positive integer`);
  return value;
}

function nonNegativeInteger(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 0)
    throw new TypeError(`Expected \`${name}\` to be a non-negative integer`);
  return value;
}
