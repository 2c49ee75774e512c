import { watch } from 'node:fs';
import type { FSWatcher } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { ROTATED_LOG_FILE, RUN_FILES } from '@runboard/launcher';
import {
  checkFunctionOption,
  checkNumberOption,
  checkObjectOption,
  checkStringOption,
} from '@runboard/locking';
import { DEFAULT_LOG_TAIL_LINES, MAX_LOG_BYTES, readOpenedLog } from './log-tail.js';
import type { LogChunk } from './log-tail.js';
import { openRegularFile, readRange } from './open-regular-file.js';
import { serialRuns } from './serial-runs.js';

export interface FollowLogOptions {
  /** Lines of the first chunk when there is no `from`; default {@link DEFAULT_LOG_TAIL_LINES}. */
  tail?: number;
  /** Start at this byte offset (the `end` of an earlier answer) instead of with a tail. */
  from?: number;
  /**
   * Re-checks the log this often even without a file-system event (network file systems,
   * where the kernel sees no remote writes). Default 2000 ms.
   */
  recheckMs?: number;
  /** Gets each new piece of the log: first the tail (or what follows `from`), then appends. */
  onChunk: (chunk: LogChunk) => void;
  /** Gets an error reading the log; following goes on. */
  onError?: (error: unknown) => void;
}

/** Events on the run folder within this window are read as one. */
const DEBOUNCE_MS = 25;

let activeFollowers = 0;

/** How many `followLog` calls have not been stopped yet (to check that clients are cleaned up). */
export function activeLogFollowerCount(): number {
  return activeFollowers;
}

/**
 * Follows a run's `run.log` as it grows: watches the run folder and re-reads only the bytes
 * after the last ones sent. A truncated log restarts with a tail (`reset: true`; one refilled
 * past the old size between two checks is noticed when the last byte sent changed); when the
 * launcher rotates the log (`run.log` → `run.log.1`), the rest of the old file comes first,
 * then the new file from its start. Every piece is at most 1 MiB: a reader more than that
 * behind gets a fresh tail instead. Returns a function that stops following.
 *
 * @example
 * const stop = followLog('/data/logs/cdd/run_2', { tail: 100, onChunk: (c) => process.stdout.write(c.text) });
 * // later
 * stop();
 */
export function followLog(runDir: string, options: FollowLogOptions): () => void {
  checkStringOption('runDir', runDir);
  checkObjectOption('options', options);
  checkFunctionOption('onChunk', options.onChunk);
  const recheckMs =
    options.recheckMs === undefined
      ? 2000
      : checkNumberOption('recheckMs', options.recheckMs, { integer: true, min: 1 });
  const tail = options.tail ?? DEFAULT_LOG_TAIL_LINES;
  const logPath = join(runDir, RUN_FILES.log);
  const rotatedPath = join(runDir, ROTATED_LOG_FILE);
  /**
   * What was sent: the offset after it, the file (inode) it belongs to (-1: no file yet), and
   * its last byte, to notice a log truncated and rewritten past the old size between checks.
   */
  let position: { end: number; inode: number; lastByte?: number } | undefined;
  let stopped = false;
  let debounce: ReturnType<typeof setTimeout> | undefined;

  const emit = (chunk: LogChunk): void => {
    if (!stopped) options.onChunk(chunk);
  };

  const step = async (): Promise<boolean> => {
    const opened = await openRegularFile(logPath);
    if (!opened) {
      if (position === undefined) {
        position = { end: 0, inode: -1 };
        emit({ text: '', start: 0, end: 0, size: 0, exists: false, reset: true });
      }
      return false;
    }
    const { handle, size, inode } = opened;
    try {
      if (position === undefined) {
        const from = options.from;
        const fresh = from === undefined || size - from > MAX_LOG_BYTES;
        const chunk = await readOpenedLog(handle, size, fresh ? { tail } : { from });
        position = { end: chunk.end, inode, lastByte: await byteAt(handle, chunk.end) };
        emit(fresh ? { ...chunk, reset: true } : chunk);
        return chunk.end < size;
      }
      if (inode !== position.inode) {
        const continues = position.inode === -1 || (await sendRestOfRotated(position));
        position = { end: 0, inode };
        if (!continues || size > MAX_LOG_BYTES) {
          const chunk = await readOpenedLog(handle, size, { tail });
          position.end = chunk.end;
          position.lastByte = await byteAt(handle, chunk.end);
          emit({ ...chunk, reset: true });
          return false;
        }
      }
      if (size === position.end) return false;
      const rewritten =
        size > position.end && (await byteAt(handle, position.end)) !== position.lastByte;
      const behind = rewritten || size - position.end > MAX_LOG_BYTES;
      const chunk = await readOpenedLog(
        handle,
        size,
        behind ? { tail } : { from: position.end, tail },
      );
      position.end = chunk.end;
      position.lastByte = await byteAt(handle, chunk.end);
      emit(behind ? { ...chunk, reset: true } : chunk);
      return chunk.end < size;
    } finally {
      await handle.close();
    }
  };

  /** The bytes of the old log after `position`, if `run.log.1` is that file; false if not. */
  const sendRestOfRotated = async (old: { end: number; inode: number }): Promise<boolean> => {
    const rotated = await openRegularFile(rotatedPath);
    if (!rotated) return false;
    try {
      if (rotated.inode !== old.inode || rotated.size - old.end > MAX_LOG_BYTES) return false;
      if (rotated.size > old.end)
        emit(await readOpenedLog(rotated.handle, rotated.size, { from: old.end }));
      return rotated.size >= old.end;
    } finally {
      await rotated.handle.close();
    }
  };

  const check = serialRuns(step, { isStopped: () => stopped, onError: options.onError });

  const schedule = (): void => {
    if (stopped || debounce !== undefined) return;
    debounce = setTimeout(() => {
      debounce = undefined;
      void check();
    }, DEBOUNCE_MS);
  };

  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(runDir, { persistent: false }, (_event, name) => {
      if (name === null || String(name).startsWith(RUN_FILES.log)) schedule();
    });
    watcher.on('error', () => {
      // Out of watches or the folder went away: the periodic re-check carries on.
      watcher?.close();
    });
  } catch {
    watcher = undefined;
  }
  const recheck = setInterval(schedule, recheckMs);
  recheck.unref();
  void check();
  activeFollowers += 1;

  return () => {
    if (stopped) return;
    activeFollowers -= 1;
    stopped = true;
    watcher?.close();
    clearInterval(recheck);
    if (debounce !== undefined) clearTimeout(debounce);
  };
}

/** The byte before `end` (the last one sent), `undefined` at the start of the file. */
async function byteAt(handle: FileHandle, end: number): Promise<number | undefined> {
  if (end === 0) return undefined;
  const bytes = await readRange(handle, end - 1, 1);
  return bytes[0];
}
