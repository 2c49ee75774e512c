import { renameSync } from 'node:fs';
import { checkNumberOption } from '@runboard/locking';
import { AppendFile } from './append-file.js';

/** The older half of a run's output, next to `run.log`. */
export const ROTATED_LOG_FILE = 'run.log.1';

/** Output a {@link CappedLog} could not write, while it could not. */
interface DroppedOutput {
  bytes: number;
  since: Date;
  error: NodeJS.ErrnoException;
}

/**
 * An append-only log file capped at `maxBytes` on disk: when the file would grow past half
 * the cap it is renamed to `<path>.1` (replacing the previous one) and a new file is started.
 * So at most `maxBytes` are kept in the two files, and always at least the newest
 * `maxBytes / 2` bytes. Renaming costs nothing however large the cap; rewriting the file to
 * drop its front would copy the whole file each time and race with readers.
 *
 * Writes are synchronous appends, each chunk whole or not at all ({@link AppendFile}), so that
 * the order of the job's stdout and stderr chunks is kept and a write never sits in a queue
 * unbounded. A chunk that cannot be written (a full disk) is dropped and counted, and every
 * later chunk tries again: once one fits, a line saying how many bytes were dropped, from when
 * and why goes in before it. `onError` hears of the first error of each such spell.
 *
 * @example
 * const log = new CappedLog('/runs/a/run.log', 10 * 1024 * 1024);
 * log.write(Buffer.from('hello\n'));
 * log.close();
 */
export class CappedLog {
  private file: AppendFile | undefined;
  private readonly rotateAt: number;
  private endsLine = true;
  private dropped: DroppedOutput | undefined;
  private closed = false;

  constructor(
    readonly path: string,
    readonly maxBytes: number,
    private readonly onError: (error: NodeJS.ErrnoException) => void = () => {},
  ) {
    checkNumberOption('maxBytes', maxBytes, { integer: true, min: 2 });
    this.rotateAt = Math.floor(maxBytes / 2);
    this.file = AppendFile.open(path);
  }

  /** Appends `chunk`, rotating first when it would not fit; drops it (counted) when it cannot be written. */
  write(chunk: Buffer | string): void {
    if (this.closed) return;
    let data = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    if (data.length === 0) return;
    // A chunk larger than half the cap keeps only its end: the newest bytes are the ones to keep.
    if (data.length > this.rotateAt) data = data.subarray(data.length - this.rotateAt);
    try {
      if (this.dropped) this.append(Buffer.from(this.droppedLine(this.dropped)));
      this.dropped = undefined;
      this.append(data);
    } catch (error) {
      this.drop(data.length, error as NodeJS.ErrnoException);
    }
  }

  /** Bytes dropped in the current spell of failed writes (0 when writes go through). */
  get droppedBytes(): number {
    return this.dropped?.bytes ?? 0;
  }

  /** Closes the file; later writes are ignored. */
  close(): void {
    this.closed = true;
    this.file?.close();
    this.file = undefined;
  }

  private append(data: Buffer): void {
    let file = this.file ?? (this.file = AppendFile.open(this.path));
    if (file.size > 0 && file.size + data.length > this.rotateAt) file = this.rotate(file);
    file.append(data);
    this.endsLine = data[data.length - 1] === 0x0a;
  }

  private rotate(file: AppendFile): AppendFile {
    file.close();
    this.file = undefined;
    renameSync(this.path, `${this.path}.1`);
    this.file = AppendFile.open(this.path);
    this.endsLine = true;
    return this.file;
  }

  private drop(bytes: number, error: NodeJS.ErrnoException): void {
    if (!this.dropped) {
      this.dropped = { bytes: 0, since: new Date(), error };
      this.onError(error);
    }
    this.dropped.bytes += bytes;
  }

  private droppedLine({ bytes, since, error }: DroppedOutput): string {
    return (
      (this.endsLine ? '' : '\n') +
      `[runboard] ${bytes} bytes of output dropped: could not write ${this.path} from ` +
      `${since.toISOString()} to ${new Date().toISOString()} (${error.code ?? error.message})\n`
    );
  }
}
