import type { Stats } from 'node:fs';
import { basename, isAbsolute, join, relative, sep } from 'node:path';
import type { FSWatcher } from 'chokidar';
import { RUN_FILES, isValidRunId } from '@runboard/launcher';
import { DASHBOARD_ERROR_CODES, DashboardWarning } from '../errors.js';
import { isRunRecordName, isSearchableFolderName } from './ignored-names.js';
import type { PathWarner } from './path-warnings.js';
import { WATCH_MODES } from './run-index-options.js';
import type { WatchMode, WatcherFactory } from './run-index-options.js';
import { sharedFileSystemOf } from './shared-file-system.js';
import { WatcherShards } from './watcher-shards.js';

const WATCH_LIMIT_CODES = new Set(['ENOSPC', 'EMFILE', 'ENFILE']);

export interface RunWatcherOptions {
  /** The index's root (symbolic links resolved). */
  root: string;
  maxDepth: number;
  pollIntervalMs: number;
  factory: WatcherFactory;
  /** The runs the index knows: inside a run folder only its `progress.json` is watched. */
  runs: { has(id: string): boolean; readonly size: number };
  /** A run's `progress.json` was added, changed or removed. */
  onRecord: (id: string, event: 'add' | 'change' | 'unlink') => void;
  /** A folder that may hold runs appeared. */
  onFolderAdded: (id: string) => void;
  /** A folder went away, with the runs at or below it. */
  onFolderRemoved: (id: string) => void;
  /** A watcher has its paths in place (the first, or the polling one after a fallback). */
  onReady: () => Promise<void>;
  onWarning: (warning: DashboardWarning) => void;
  warnPath: PathWarner;
}

/**
 * Watches what the index asks for: each folder that may hold runs, without recursion
 * (`depth: 0`: its new entries are seen, its sub-folders are not listed), and the
 * `progress.json` of each active run (finished runs rarely change; the rescan's `stat` sweep
 * re-checks them). Run folders themselves are not watched, so logs and checkpoints being
 * written cost nothing. The same set is watched by OS events or by polling: with `poll`, on a
 * root on a shared file system (NFS, FUSE/sshfs, Lustre, CIFS …: inotify does not report other
 * hosts' writes there), and after the OS ran out of watches; the last two warn once. File
 * events become calls of `onRecord`, `onFolderAdded` and `onFolderRemoved`.
 */
export class RunWatcher {
  private readonly watched = new Set<string>();
  private shards: WatcherShards | undefined;
  private ready: Promise<void> = Promise.resolve();
  private firstBatchInPlace = false;
  private currentMode: WatchMode = WATCH_MODES.off;
  private isClosed = false;

  constructor(private readonly options: RunWatcherOptions) {}

  /** `events` or `poll` while watching; `off` before `start` and after `close`. */
  get mode(): WatchMode {
    return this.currentMode;
  }

  /** The first batch of paths is in place: folders met from now on are new to the watcher. */
  get started(): boolean {
    return this.firstBatchInPlace;
  }

  /** Resolves when the watcher (and a polling one that replaced it) has its paths in place. */
  whenReady(): Promise<void> {
    return this.ready;
  }

  /** Watches `path` from now on; whether it was new. */
  watch(path: string): boolean {
    if (this.isClosed || this.watched.has(path)) return false;
    this.watched.add(path);
    this.shards?.add(path);
    return true;
  }

  /** Stops watching `path` (a finished run's record: the rescan's `stat` sweep covers it). */
  unwatch(path: string): void {
    if (this.isClosed || !this.watched.delete(path)) return;
    this.shards?.unwatch(path);
  }

  /** Number of paths watched (folders that may hold runs, records of active runs). */
  get size(): number {
    return this.watched.size;
  }

  /**
   * Starts watching every path given so far, in `mode`; `events` on a shared file system
   * polls instead, with a warning.
   */
  start(mode: WatchMode): void {
    if (mode === WATCH_MODES.events && this.isOnSharedFileSystem()) mode = WATCH_MODES.poll;
    const shards = new WatcherShards({
      factory: this.options.factory,
      options: {
        ignoreInitial: true,
        followSymlinks: false,
        ignorePermissionErrors: true,
        depth: 0,
        usePolling: mode === WATCH_MODES.poll,
        interval: this.options.pollIntervalMs,
        binaryInterval: this.options.pollIntervalMs,
        ignored: (path, stats) => this.isIgnored(path, stats),
      },
      onEvent: (event, path) => this.onEvent(event, path),
      onError: (watcher, error) => this.onError(shards, watcher, error),
      isFolder: (path) => !isRunRecordName(basename(path)),
    });
    this.shards = shards;
    this.currentMode = mode;
    // Sorted, each folder comes with its runs: a watcher lists every folder given to it at
    // once, so spreading folders over the batches spreads that work too.
    this.ready = shards.start([...this.watched].sort()).then(async () => {
      this.firstBatchInPlace = true;
      if (!this.isClosed && this.shards === shards) await this.options.onReady();
    });
  }

  async close(): Promise<void> {
    this.isClosed = true;
    const shards = this.shards;
    this.shards = undefined;
    this.currentMode = WATCH_MODES.off;
    await shards?.close();
  }

  /** Whether the root is on a shared file system; says so once (the dashboard's notice). */
  private isOnSharedFileSystem(): boolean {
    const { root, pollIntervalMs } = this.options;
    const shared = sharedFileSystemOf(root);
    if (!shared) return false;
    this.options.onWarning(
      new DashboardWarning(
        DASHBOARD_ERROR_CODES.polling,
        `${root} is on a shared file system (${shared.name}), where OS file events miss other ` +
          `hosts' writes: polling every ${pollIntervalMs} ms instead. Updates show within that ` +
          "interval plus the mount's attribute cache (NFS actimeo, sshfs dcache_timeout).",
      ),
    );
    return true;
  }

  private onError(shards: WatcherShards, watcher: FSWatcher, error: NodeJS.ErrnoException): void {
    if (this.isClosed || shards !== this.shards || !shards.owns(watcher)) return;
    if (this.currentMode === WATCH_MODES.events && WATCH_LIMIT_CODES.has(error.code ?? '')) {
      this.options.onWarning(
        new DashboardWarning(
          DASHBOARD_ERROR_CODES.polling,
          `The OS ran out of file watches (${error.code}) while watching ${this.options.root}; ` +
            `polling every ${this.options.pollIntervalMs} ms instead. Raise the limit ` +
            '(e.g. sysctl fs.inotify.max_user_watches=524288) and restart to get instant updates.',
          { cause: error },
        ),
      );
      void shards.close();
      const watching = this.ready;
      this.start(WATCH_MODES.poll);
      // whenReady() callers wait for the polling watcher too.
      this.ready = Promise.all([watching, this.ready]).then(() => {});
      return;
    }
    this.options.warnPath(DASHBOARD_ERROR_CODES.watchError, this.options.root, error);
  }

  private onEvent(event: string, path: string): void {
    if (this.isClosed) return;
    const segments = this.segmentsOf(path);
    if (segments === undefined) return;
    if (event === 'add' || event === 'change' || event === 'unlink') {
      if (segments.length < 2 || !isRunRecordName(segments[segments.length - 1])) return;
      const id = segments.slice(0, -1).join('/');
      if (!isValidRunId(id) || this.runAbove(segments, segments.length - 2)) return;
      // chokidar stops watching a file it saw vanish; a read that finds it again re-adds it.
      if (event === 'unlink') this.watched.delete(path);
      this.options.onRecord(id, event);
    } else if (event === 'addDir') {
      if (!this.isIgnored(path)) this.options.onFolderAdded(segments.join('/'));
    } else if (event === 'unlinkDir') {
      this.forget(path);
      this.options.onFolderRemoved(segments.join('/'));
    }
  }

  /** The path's segments below the root; `undefined` for the root and what is outside it. */
  private segmentsOf(path: string): string[] | undefined {
    const relativePath = relative(this.options.root, path);
    if (relativePath === '' || relativePath.startsWith('..') || isAbsolute(relativePath))
      return undefined;
    return relativePath.split(sep);
  }

  /** Forgets watched paths at or below `path` (the watcher dropped them when they vanished). */
  private forget(path: string): void {
    for (const watched of this.watched) {
      if (watched === path || watched.startsWith(`${path}${sep}`)) this.watched.delete(watched);
    }
  }

  /** chokidar's filter: only folders that may hold runs, and `progress.json` files. */
  private isIgnored(path: string, stats?: Stats): boolean {
    const relativePath = relative(this.options.root, path);
    if (relativePath === '') return false;
    if (relativePath.startsWith('..') || isAbsolute(relativePath)) return true;
    const segments = relativePath.split(sep);
    const name = segments[segments.length - 1];
    // Inside a run folder only its own progress.json counts (no logs, checkpoints, lock folders).
    if (this.runAbove(segments, segments.length - 2)) return true;
    if (segments.length > 1 && this.options.runs.has(segments.slice(0, -1).join('/')))
      return !isRunRecordName(name);
    // A finished run's folder: chokidar would keep an entry for each of 100,000 such folders
    // (80 MiB); its removal, like any change to a finished run, is seen by the rescan.
    if (
      this.options.runs.has(segments.join('/')) &&
      !this.watched.has(join(path, RUN_FILES.progress))
    )
      return true;
    if (isRunRecordName(name)) return stats !== undefined && !stats.isFile();
    if (stats && !stats.isDirectory()) return true;
    return !isSearchableFolderName(name) || segments.length > this.options.maxDepth;
  }

  /** Whether one of the first `count` segments' prefixes is a run. */
  private runAbove(segments: readonly string[], count: number): boolean {
    if (this.options.runs.size === 0) return false;
    let prefix = '';
    for (let i = 0; i < count; i += 1) {
      prefix = i === 0 ? segments[0] : `${prefix}/${segments[i]}`;
      if (this.options.runs.has(prefix)) return true;
    }
    return false;
  }
}
