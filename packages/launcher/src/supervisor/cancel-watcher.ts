import { watch, type FSWatcher } from 'node:fs';
import { RUN_FILES } from '../run-folder/run-files.js';
import { readCancelRequest, type CancelRequest } from './record-check.js';

/** Settings of {@link watchCancelRequest}. */
export interface CancelWatcherOptions {
  /** Seconds between reads of `control.json` besides the watcher (which can miss changes on NFS). */
  pollSeconds: number;
  /** Called once, with the first cancel request found. */
  onCancel: (request: CancelRequest) => void;
  /** Called when `control.json` cannot be read or is invalid; watching goes on. */
  onError: (error: unknown) => void;
}

/**
 * Watches the run folder for a cancel request in `control.json`: `fs.watch` on the folder
 * (the file is replaced by rename, so a watch on the file itself would go stale) plus a slow
 * poll, since file events do not cross machines on a network file system. Checks once at once.
 * Returns a function that stops watching.
 *
 * @example
 * const stop = watchCancelRequest(runDir, { pollSeconds: 2, onCancel: () => cancel(), onError: log });
 */
export function watchCancelRequest(runDir: string, options: CancelWatcherOptions): () => void {
  let stopped = false;
  let checking = false;
  let checkAgain = false;
  let lastErrorCode: unknown;

  const check = async (): Promise<void> => {
    if (stopped) return;
    if (checking) {
      checkAgain = true;
      return;
    }
    checking = true;
    try {
      do {
        checkAgain = false;
        const cancel = await readCancelRequest(runDir).catch((error: unknown) => {
          const code = (error as { code?: unknown }).code;
          if (code !== lastErrorCode) options.onError(error);
          lastErrorCode = code;
          return null;
        });
        if (cancel !== null) lastErrorCode = undefined;
        if (cancel && !stopped) {
          stop();
          options.onCancel(cancel);
          return;
        }
      } while (checkAgain && !stopped);
    } finally {
      checking = false;
    }
  };

  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(runDir, { persistent: false }, (_event, filename) => {
      if (filename === null || filename === RUN_FILES.control) void check();
    });
    watcher.on('error', () => {
      watcher?.close();
      watcher = undefined;
    });
  } catch {
    // No watcher (e.g. inotify limits): the poll still finds the request.
    watcher = undefined;
  }
  const poll = setInterval(() => void check(), options.pollSeconds * 1000);
  poll.unref();

  function stop(): void {
    stopped = true;
    clearInterval(poll);
    watcher?.close();
  }

  void check();
  return stop;
}
