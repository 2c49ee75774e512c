import type { ChokidarOptions, FSWatcher } from 'chokidar';

/** Paths one watcher is started with. chokidar sets all of a watcher's paths up at once. */
const PATHS_PER_WATCHER = 500;
/**
 * Folders one watcher is started with: chokidar lists each and `lstat`s every entry, all at
 * once (100,000 runs in 200 folders: 20,000 `lstat`s in flight per 40 folders, 580 MiB RSS).
 */
const FOLDERS_PER_WATCHER = 4;

export interface WatcherShardsOptions {
  factory: (paths: string[], options: ChokidarOptions) => FSWatcher;
  options: ChokidarOptions;
  onEvent: (event: string, path: string) => void;
  onError: (watcher: FSWatcher, error: NodeJS.ErrnoException) => void;
  /** Whether a path is a folder (listed by chokidar) rather than a file. */
  isFolder: (path: string) => boolean;
}

/**
 * chokidar watchers over a list of paths, started one batch after the other: a single watcher
 * given 10,000 paths sets them all up at once (10,000 stats and watches in flight), which
 * costs far more memory than the watches themselves. Paths added later go to the last watcher.
 */
export class WatcherShards {
  private readonly watchers: FSWatcher[] = [];
  private readonly stopWaiting = new Set<() => void>();
  private isClosed = false;

  constructor(private readonly settings: WatcherShardsOptions) {}

  /** Starts watching `paths`; resolves when every watcher is ready (or the set is closed). */
  async start(paths: readonly string[]): Promise<void> {
    for (const batch of this.batches(paths)) {
      if (this.isClosed) break;
      const watcher = this.create(batch);
      await new Promise<void>((resolve) => {
        this.stopWaiting.add(resolve);
        watcher.once('ready', () => {
          this.stopWaiting.delete(resolve);
          resolve();
        });
      });
    }
  }

  /** `paths` in order, cut into batches of at most {@link PATHS_PER_WATCHER} and {@link FOLDERS_PER_WATCHER}. */
  private *batches(paths: readonly string[]): Generator<string[]> {
    let batch: string[] = [];
    let folders = 0;
    for (const path of paths) {
      const folder = this.settings.isFolder(path);
      if (batch.length === PATHS_PER_WATCHER || (folder && folders === FOLDERS_PER_WATCHER)) {
        yield batch;
        batch = [];
        folders = 0;
      }
      batch.push(path);
      if (folder) folders += 1;
    }
    if (batch.length > 0) yield batch;
  }

  add(path: string): void {
    if (this.isClosed) return;
    const last = this.watchers[this.watchers.length - 1];
    if (last) last.add(path);
    else this.create([path]);
  }

  /** Stops watching `path` (in whichever watcher has it). */
  unwatch(path: string): void {
    if (this.isClosed) return;
    for (const watcher of this.watchers) watcher.unwatch(path);
  }

  owns(watcher: FSWatcher): boolean {
    return !this.isClosed && this.watchers.includes(watcher);
  }

  /** Closes every watcher; file-system work still in flight may report errors, which go nowhere. */
  async close(): Promise<void> {
    this.isClosed = true;
    for (const resolve of this.stopWaiting) resolve();
    this.stopWaiting.clear();
    await Promise.all(
      this.watchers.map((watcher) => {
        const closing = watcher.close();
        // close() drops every listener, and an 'error' without one would crash the process.
        watcher.on('error', () => {});
        return closing;
      }),
    );
  }

  private create(paths: string[]): FSWatcher {
    const watcher = this.settings.factory(paths, this.settings.options);
    watcher.on('all', (event, path) => this.settings.onEvent(event, path));
    watcher.on('error', (error) => this.settings.onError(watcher, error as NodeJS.ErrnoException));
    this.watchers.push(watcher);
    return watcher;
  }
}
