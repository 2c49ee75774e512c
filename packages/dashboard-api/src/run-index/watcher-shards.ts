import type { ChokidarOptions, FSWatcher } from 'chokidar';

/** Paths one watcher is started with. chokidar sets all of a watcher's paths up at once. */
const PATHS_PER_WATCHER = 500;

export interface WatcherShardsOptions {
  factory: (paths: string[], options: ChokidarOptions) => FSWatcher;
  options: ChokidarOptions;
  onEvent: (event: string, path: string) => void;
  onError: (watcher: FSWatcher, error: NodeJS.ErrnoException) => void;
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
    for (let offset = 0; offset < paths.length && !this.isClosed; offset += PATHS_PER_WATCHER) {
      const watcher = this.create(paths.slice(offset, offset + PATHS_PER_WATCHER));
      await new Promise<void>((resolve) => {
        this.stopWaiting.add(resolve);
        watcher.once('ready', () => {
          this.stopWaiting.delete(resolve);
          resolve();
        });
      });
    }
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
