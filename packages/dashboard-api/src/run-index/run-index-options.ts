import { watch } from 'chokidar';
import type { ChokidarOptions, FSWatcher } from 'chokidar';
import { DEFAULT_DERIVED_STATE_THRESHOLDS, isLocalProcessAlive } from '@runboard/launcher';
import type { DeriveStateOptions, DerivedStateThresholds } from '@runboard/launcher';
import { checkNumberOption, checkObjectOption, checkStringOption } from '@runboard/locking';
import type { DashboardWarning } from '../errors.js';
import { countLiveLaunchers } from './live-launchers.js';
import type { LiveLauncherCounter } from './live-launchers.js';

/** How the index learns about changes. */
export const WATCH_MODES = {
  /** OS file events (inotify, FSEvents …) through chokidar. */
  events: 'events',
  /**
   * chokidar polling (`usePolling`): asked for, the root is on a shared file system, or the OS
   * ran out of watches.
   */
  poll: 'poll',
  /** No watcher (`watch: false`): only rescans. */
  off: 'off',
} as const;

export type WatchMode = (typeof WATCH_MODES)[keyof typeof WATCH_MODES];

/** Makes the file watcher; chokidar's `watch` unless replaced (a seam for tests). */
export type WatcherFactory = (paths: string[], options: ChokidarOptions) => FSWatcher;

export interface RunIndexOptions {
  /** The folder that holds the run folders. */
  root: string;
  /** Watch for changes (default `true`). `false`: a snapshot, refreshed only by rescans. */
  watch?: boolean;
  /**
   * Resolve `open()` as soon as the first scan has started (default `false`: once every run
   * is indexed). The index then serves what is indexed so far, `summary().indexing` says how
   * far it is, and `whenIndexed()` resolves when it is complete. The dashboard server sets it.
   */
  background?: boolean;
  /**
   * Counts the launchers live on the root (queued runs then wait for `no-launcher` when none
   * is); default: the launcher's `readLiveLaunchers`. `false`: not looked at.
   */
  liveLaunchers?: LiveLauncherCounter | false;
  /**
   * Poll instead of OS file events everywhere. Default `false`: OS file events, except on a
   * root on a shared file system (NFS, FUSE/sshfs, Lustre, CIFS, CephFS, GPFS …, see
   * `sharedFileSystemOf`), whose other hosts' writes raise no event here: that is polled,
   * with a `RUNBOARD_DASHBOARD_POLLING` warning.
   */
  poll?: boolean;
  /** Poll interval per watched path. Default 2000 ms. */
  pollIntervalMs?: number;
  /**
   * Rescan interval: a walk with a `stat` of every `progress.json`, which is how changes to
   * finished runs (not watched) are seen, and the safety net for missed events; `0` turns it
   * off. Default 30 000 ms.
   */
  rescanIntervalMs?: number;
  /** How often derived states (`stalled`, `stuck`, `outdated`) are re-evaluated. Default 5000 ms. */
  refreshIntervalMs?: number;
  /** Least time between two `summary` events. Default 250 ms. */
  summaryIntervalMs?: number;
  /**
   * Asynchronous file-system operations in flight at once (reads for file events, retried
   * reads). Walks and the first scan's reads are synchronous, in short time slices. Default 32.
   */
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

/** {@link RunIndexOptions} checked, with every default filled in. */
export interface ResolvedRunIndexOptions {
  watch: boolean;
  background: boolean;
  liveLaunchers: LiveLauncherCounter | undefined;
  poll: boolean;
  pollIntervalMs: number;
  rescanIntervalMs: number;
  refreshIntervalMs: number;
  summaryIntervalMs: number;
  concurrency: number;
  maxDepth: number;
  readDeadlineMs: number;
  thresholds: DerivedStateThresholds;
  isProcessAlive: DeriveStateOptions['isProcessAlive'];
  onWarning: (warning: DashboardWarning) => void;
  clock: () => number;
  watcherFactory: WatcherFactory;
}

/**
 * Checks the options (a `TypeError` naming the first bad one) and fills in the defaults.
 * The root is checked here too; whether it is a folder is the index's to find out.
 */
export function resolveRunIndexOptions(options: RunIndexOptions): ResolvedRunIndexOptions {
  checkObjectOption('options', options);
  checkStringOption('root', options.root);
  const count = (name: keyof RunIndexOptions, fallback: number, min: number): number =>
    options[name] === undefined
      ? fallback
      : checkNumberOption(name, options[name], { integer: true, min });
  return {
    watch: options.watch ?? true,
    background: options.background ?? false,
    liveLaunchers:
      options.liveLaunchers === false ? undefined : (options.liveLaunchers ?? countLiveLaunchers),
    poll: options.poll ?? false,
    pollIntervalMs: count('pollIntervalMs', 2000, 1),
    rescanIntervalMs: count('rescanIntervalMs', 30_000, 0),
    refreshIntervalMs: count('refreshIntervalMs', 5000, 1),
    summaryIntervalMs: count('summaryIntervalMs', 250, 0),
    concurrency: count('concurrency', 32, 1),
    maxDepth: count('maxDepth', 12, 1),
    readDeadlineMs: count('readDeadlineMs', 1000, 0),
    thresholds: { ...DEFAULT_DERIVED_STATE_THRESHOLDS, ...options.thresholds },
    isProcessAlive:
      options.isProcessAlive === false
        ? undefined
        : (options.isProcessAlive ?? isLocalProcessAlive),
    onWarning: options.onWarning ?? ((warning) => process.emitWarning(warning)),
    clock: options.clock ?? Date.now,
    watcherFactory: options.watcherFactory ?? watch,
  };
}
