import type { FileHandle } from 'node:fs/promises';
import { openRegularFile, readRange } from './open-regular-file.js';

/** The most bytes one log request reads: 1 MiB. */
export const MAX_LOG_BYTES = 1024 * 1024;
/** The most lines `tail` may ask for. */
export const MAX_LOG_TAIL_LINES = 100_000;
/** The lines of a tail when `tail` is not given. */
export const DEFAULT_LOG_TAIL_LINES = 200;

export interface ReadLogOptions {
  /** The last this many lines (0 to {@link MAX_LOG_TAIL_LINES}); default {@link DEFAULT_LOG_TAIL_LINES}. */
  tail?: number;
  /**
   * Instead of a tail, the bytes from this offset on (the `end` of an earlier answer), to
   * follow a growing log. An offset past the end (the log was truncated) gives a tail.
   */
  from?: number;
  /** At most this many bytes are read; default and upper bound {@link MAX_LOG_BYTES}. */
  maxBytes?: number;
}

/** A piece of a run's `run.log`. */
export interface LogChunk {
  /** The text, decoded as UTF-8; never a split character. */
  text: string;
  /** Byte offset of `text` in the file. */
  start: number;
  /** Byte offset after `text`: pass it as `from` to get what comes next. */
  end: number;
  /** The file's size when read. */
  size: number;
  /** Whether the log exists (a queued run has none yet). */
  exists: boolean;
  /** `from` was past the end of the file (it was truncated), so this is a fresh tail. */
  reset: boolean;
}

/**
 * Reads the end of a log, or what follows an offset, reading at most 1 MiB.
 * Refuses symbolic links and non-regular files.
 *
 * @example
 * const { text, end } = await readLog('/data/logs/cdd/run_2/run.log', { tail: 100 });
 * const next = await readLog('/data/logs/cdd/run_2/run.log', { from: end });
 */
export async function readLog(file: string, options: ReadLogOptions = {}): Promise<LogChunk> {
  const opened = await openRegularFile(file);
  if (!opened) return { text: '', start: 0, end: 0, size: 0, exists: false, reset: false };
  try {
    return await readOpenedLog(opened.handle, opened.size, options);
  } finally {
    await opened.handle.close();
  }
}

/** {@link readLog} on a file already opened (with `openRegularFile`); the caller closes it. */
export async function readOpenedLog(
  handle: FileHandle,
  size: number,
  options: ReadLogOptions = {},
): Promise<LogChunk> {
  const tail = options.tail ?? DEFAULT_LOG_TAIL_LINES;
  const maxBytes = Math.min(options.maxBytes ?? MAX_LOG_BYTES, MAX_LOG_BYTES);
  if (options.from !== undefined && options.from <= size) {
    const length = Math.min(size - options.from, maxBytes);
    const bytes = await readRange(handle, options.from, length);
    const cut = length < size - options.from ? utf8Boundary(bytes, bytes.length) : bytes.length;
    return chunk(bytes.subarray(0, cut), options.from, size, false);
  }
  const windowStart = Math.max(0, size - maxBytes);
  const bytes = await readRange(handle, windowStart, size - windowStart);
  const cut = tailCut(bytes, tail, windowStart > 0);
  return chunk(bytes.subarray(cut), windowStart + cut, size, options.from !== undefined);
}

function chunk(bytes: Buffer, start: number, size: number, reset: boolean): LogChunk {
  return {
    text: bytes.toString('utf8'),
    start,
    end: start + bytes.length,
    size,
    exists: true,
    reset,
  };
}

/** Where the last `lines` lines begin in `bytes` (a trailing newline ends the last line). */
function tailCut(bytes: Buffer, lines: number, windowIsPartial: boolean): number {
  if (lines === 0) return bytes.length;
  let position = bytes.length;
  if (bytes[position - 1] === 0x0a) position -= 1;
  for (let found = 0; position > 0;) {
    const newline = bytes.lastIndexOf(0x0a, position - 1);
    if (newline === -1) break;
    found += 1;
    if (found === lines) return newline + 1;
    position = newline;
  }
  if (!windowIsPartial) return 0;
  // The window starts inside a line: drop that partial line, or, for one giant line, a split character.
  const firstNewline = bytes.indexOf(0x0a);
  if (firstNewline !== -1 && firstNewline < bytes.length - 1) return firstNewline + 1;
  return utf8Start(bytes);
}

/** The largest offset ≤ `end` that does not split a UTF-8 character. */
function utf8Boundary(bytes: Buffer, end: number): number {
  let lead = end - 1;
  while (lead >= 0 && end - lead < 4 && (bytes[lead] & 0xc0) === 0x80) lead -= 1;
  if (lead < 0) return end;
  const byte = bytes[lead];
  const length = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
  return lead + length <= end ? end : lead;
}

/** The first offset that starts a UTF-8 character. */
function utf8Start(bytes: Buffer): number {
  let position = 0;
  while (position < bytes.length && position < 4 && (bytes[position] & 0xc0) === 0x80)
    position += 1;
  return position;
}
