import { closeSync, fsyncSync, openSync, readSync, renameSync, rmSync, writeSync } from 'node:fs';

/** Bucket widths tried for the older part: 2^0 … 2^32 seconds (the last is "one per attempt"). */
const BUCKET_LEVELS = 33;
const READ_CHUNK_BYTES = 64 * 1024;

/**
 * Rewrites `metrics.jsonl` at `path` (`size` bytes) to at most about three quarters of that:
 * the newer half (by bytes) stays line for line; the older half keeps, per attempt, its first
 * line and the last line of each time bucket, with the bucket the smallest power-of-two
 * seconds that brings the older half to at most a quarter of `size`. Buckets of powers of two
 * nest, so thinning again later keeps the older points evenly spaced in time. Lines that are
 * not metrics lines (torn, foreign) are left out. The new file is written beside the old one
 * and renamed over it: a reader sees the old file or the new one, never a mix.
 *
 * @throws the `fs` error when the new file cannot be written (a full disk): the old one is kept.
 * @example
 * compactMetricsFile('/runs/a/metrics.jsonl', statSync('/runs/a/metrics.jsonl').size);
 */
export function compactMetricsFile(path: string, size: number): void {
  const split = size / 2;
  // kept[level]: bytes the older part keeps with buckets of 2^level seconds.
  const kept = new Array<number>(BUCKET_LEVELS).fill(0);
  thinOlderLines(path, split, (line, highestLevel) => {
    for (let level = 0; level <= highestLevel; level += 1) kept[level] += line.length;
  });
  const found = kept.findIndex((bytes) => bytes <= size / 4);
  const level = found === -1 ? BUCKET_LEVELS - 1 : found;
  const temp = `${path}.${process.pid}.tmp`;
  const out = openSync(temp, 'w');
  try {
    const writer = new BatchWriter(out);
    thinOlderLines(path, split, (line, highestLevel) => {
      if (highestLevel >= level) writer.write(line);
    });
    for (const { line, end } of readLines(path)) if (end > split) writer.write(line);
    writer.flush();
    fsyncSync(out);
    closeSync(out);
    renameSync(temp, path);
  } catch (error) {
    try {
      closeSync(out);
    } catch {
      // closed already
    }
    rmSync(temp, { force: true });
    throw error;
  }
}

/** A metrics line of the older part, with what its bucket depends on. */
interface OlderLine {
  line: Buffer;
  /** Whole seconds of its time. */
  second: number;
  attempt: number;
  /** The first line of its attempt. */
  first: boolean;
}

/**
 * Goes through the metrics lines of the older part (lines ending at or before `split`) in
 * file order and tells, for each, the highest bucket level that keeps it (-1: none). A line
 * is kept at level L when the next line falls in another bucket of 2^L seconds (or another
 * attempt, or the older part ends there), and at every level when it is the first of its
 * attempt. Lines that are not metrics lines are left out.
 */
function thinOlderLines(
  path: string,
  split: number,
  onLine: (line: Buffer, highestLevel: number) => void,
): void {
  let previous: OlderLine | undefined;
  for (const { line, end } of readLines(path)) {
    if (end > split) break;
    const point = pointOf(line);
    if (!point) continue;
    const current: OlderLine = {
      line,
      second: Math.floor(point.timeMs / 1000),
      attempt: point.attempt,
      first: point.attempt !== previous?.attempt,
    };
    if (previous) onLine(previous.line, highestKeepingLevel(previous, current));
    previous = current;
  }
  if (previous) onLine(previous.line, BUCKET_LEVELS - 1);
}

/**
 * The highest level whose bucket `previous` is the last line of, before `next`: buckets of
 * 2^L seconds split two times exactly for the levels up to the highest bit where their
 * seconds differ.
 */
function highestKeepingLevel(previous: OlderLine, next: OlderLine): number {
  if (previous.first || previous.attempt !== next.attempt) return BUCKET_LEVELS - 1;
  if (previous.second === next.second) return -1;
  const differing = (previous.second ^ next.second) >>> 0;
  return Math.min(BUCKET_LEVELS - 1, 31 - Math.clz32(differing));
}

/** How the supervisor writes a line's start (`JSON.stringify` of a {@link MetricsLine}). */
const LINE_START = /^\{"time":"([^"]{10,40})","attempt":(\d{1,9}),/;

/** The time and attempt of a metrics line, or `undefined` for a line that is not one. */
function pointOf(line: Buffer): { timeMs: number; attempt: number } | undefined {
  // Our own lines are read by their start (a JSON.parse each made thinning 3× slower); the
  // last two bytes tell a whole line from a torn one. Other lines are parsed.
  const text = line.toString('latin1', 0, 80);
  const start = LINE_START.exec(text);
  if (start && line[line.length - 2] === 0x7d) {
    const timeMs = Date.parse(start[1]);
    if (!Number.isNaN(timeMs)) return { timeMs, attempt: Number(start[2]) };
  }
  try {
    const value = JSON.parse(line.toString('utf8')) as { time?: unknown; attempt?: unknown };
    const timeMs = typeof value.time === 'string' ? Date.parse(value.time) : Number.NaN;
    if (Number.isNaN(timeMs) || typeof value.attempt !== 'number') return undefined;
    return { timeMs, attempt: value.attempt };
  } catch {
    return undefined;
  }
}

/** The lines of `path` with their newline, each with the byte offset where it ends; a last line without newline is left out. */
function* readLines(path: string): Generator<{ line: Buffer; end: number }> {
  const fd = openSync(path, 'r');
  try {
    const chunk = Buffer.alloc(READ_CHUNK_BYTES);
    let carry = Buffer.alloc(0);
    let offset = 0;
    for (;;) {
      const read = readSync(fd, chunk, 0, chunk.length, null);
      if (read === 0) return;
      const data = Buffer.concat([carry, chunk.subarray(0, read)]);
      let start = 0;
      for (let newline = data.indexOf(0x0a); newline !== -1; newline = data.indexOf(0x0a, start)) {
        // A view, not a copy: `data` is a new buffer each round, so lines held stay valid.
        const line = data.subarray(start, newline + 1);
        offset += line.length;
        yield { line, end: offset };
        start = newline + 1;
      }
      carry = data.subarray(start);
    }
  } finally {
    closeSync(fd);
  }
}

/** Collects lines and writes them in blocks of 64 KiB: one syscall per block, not per line. */
class BatchWriter {
  private pending: Buffer[] = [];
  private pendingBytes = 0;

  constructor(private readonly fd: number) {}

  write(line: Buffer): void {
    this.pending.push(line);
    this.pendingBytes += line.length;
    if (this.pendingBytes >= READ_CHUNK_BYTES) this.flush();
  }

  flush(): void {
    const block = Buffer.concat(this.pending);
    this.pending = [];
    this.pendingBytes = 0;
    let written = 0;
    while (written < block.length) written += writeSync(this.fd, block, written);
  }
}
