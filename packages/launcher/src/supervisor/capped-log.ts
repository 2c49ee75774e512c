import { closeSync, fstatSync, openSync, renameSync, writeSync } from 'node:fs';

/** The older half of a run's output, next to `run.log`. */
export const ROTATED_LOG_FILE = 'run.log.1';

/**
 * An append-only log file capped at `maxBytes` on disk: when the file would grow past half
 * the cap it is renamed to `<path>.1` (replacing the previous one) and a new file is started.
 * So at most `maxBytes` are kept in the two files, and always at least the newest
 * `maxBytes / 2` bytes. Renaming costs nothing however large the cap; rewriting the file to
 * drop its front would copy the whole file each time and race with readers.
 *
 * Writes are synchronous (`fs.writeSync` on an `O_APPEND` descriptor) so that the order of
 * the job's stdout and stderr chunks is kept and a write never sits in a queue unbounded.
 *
 * @example
 * const log = new CappedLog('/runs/a/run.log', 10 * 1024 * 1024);
 * log.write(Buffer.from('hello\n'));
 * log.close();
 */
export class CappedLog {
  private fd: number | undefined;
  private size: number;
  private readonly rotateAt: number;

  constructor(
    readonly path: string,
    readonly maxBytes: number,
  ) {
    if (!Number.isInteger(maxBytes) || maxBytes < 2)
      throw new TypeError('Expected `maxBytes` to be an integer ≥ 2');
    this.rotateAt = Math.floor(maxBytes / 2);
    this.fd = openSync(path, 'a');
    this.size = fstatSync(this.fd).size;
  }

  /** Appends `chunk`, rotating first when it would not fit. */
  write(chunk: Buffer | string): void {
    if (this.fd === undefined) return;
    let data = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    if (data.length === 0) return;
    if (this.size > 0 && this.size + data.length > this.rotateAt) this.rotate();
    // A chunk larger than half the cap keeps only its end: the newest bytes are the ones to keep.
    if (data.length > this.rotateAt) data = data.subarray(data.length - this.rotateAt);
    let written = 0;
    while (written < data.length)
      written += writeSync(this.fd, data, written, data.length - written);
    this.size += data.length;
  }

  /** Closes the file; later writes are ignored. */
  close(): void {
    if (this.fd === undefined) return;
    closeSync(this.fd);
    this.fd = undefined;
  }

  private rotate(): void {
    if (this.fd === undefined) return;
    closeSync(this.fd);
    this.fd = undefined;
    renameSync(this.path, `${this.path}.1`);
    this.fd = openSync(this.path, 'a');
    this.size = fstatSync(this.fd).size;
  }
}
