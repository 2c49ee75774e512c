import { closeSync, fstatSync, ftruncateSync, openSync, readSync, writeSync } from 'node:fs';

/** How far back {@link AppendFile} looks for the last newline of a file that ends mid-line. */
const TORN_END_SEARCH_BYTES = 1024 * 1024;

/**
 * A file appended to (`O_APPEND`) where every append lands whole or not at all: the bytes of a
 * write that fails midway (`ENOSPC`, `EFBIG`, `EIO`) are cut off the end again, so the next
 * append never glues onto a fragment. Cutting frees blocks, so it works on a full disk; when
 * even that fails, the next append cuts first. Writes are synchronous, so chunks keep their
 * order.
 *
 * @example
 * const file = AppendFile.open('/runs/a/metrics.jsonl', { trimTornEnd: true });
 * file.append(Buffer.from('{"current":1}\n')); // throws ENOSPC, leaving the file as it was
 * file.close();
 */
export class AppendFile {
  private constructor(
    readonly path: string,
    private fd: number | undefined,
    /** The file's length as this process knows it (its appends since it opened the file). */
    private length: number,
  ) {}

  /** Bytes of a failed append still at the end of the file (cutting them failed). */
  private fragment = 0;

  /**
   * Opens `path` for appending (created if missing). With `trimTornEnd`, a file that does not
   * end with a newline (a writer died mid-line) is first cut back to its last whole line.
   */
  static open(path: string, options: { trimTornEnd?: boolean } = {}): AppendFile {
    const fd = openSync(path, 'a+');
    try {
      const size = fstatSync(fd).size;
      const length = options.trimTornEnd ? wholeLinesLength(fd, size) : size;
      if (length !== size) ftruncateSync(fd, length);
      return new AppendFile(path, fd, length);
    } catch (error) {
      closeSync(fd);
      throw error;
    }
  }

  /** Bytes in the file (as this process wrote it). */
  get size(): number {
    return this.length;
  }

  /** Whether the file was closed. */
  get closed(): boolean {
    return this.fd === undefined;
  }

  /**
   * Appends `data` whole, or throws the write error with the file as it was before.
   *
   * @throws the `fs` error (`code` kept) when the data could not be written.
   */
  append(data: Buffer): void {
    const fd = this.fd;
    if (fd === undefined || data.length === 0) return;
    if (this.fragment > 0) this.cutFragment(fd);
    let written = 0;
    try {
      while (written < data.length) written += writeSync(fd, data, written, data.length - written);
    } catch (error) {
      this.fragment = written;
      if (written > 0) {
        try {
          this.cutFragment(fd);
        } catch {
          // Still there: the next append cuts it first.
        }
      }
      throw error;
    }
    this.length += data.length;
  }

  /** Cuts the bytes of the failed append off the end (other writers' appends come before them). */
  private cutFragment(fd: number): void {
    ftruncateSync(fd, Math.max(0, fstatSync(fd).size - this.fragment));
    this.fragment = 0;
  }

  /** Closes the file; later appends are ignored. */
  close(): void {
    if (this.fd === undefined) return;
    closeSync(this.fd);
    this.fd = undefined;
  }
}

/** The length of `fd`'s content up to and including its last newline (all of it when it ends with one). */
function wholeLinesLength(fd: number, size: number): number {
  if (size === 0) return 0;
  const window = Math.min(size, TORN_END_SEARCH_BYTES);
  const tail = Buffer.alloc(window);
  const read = readSync(fd, tail, 0, window, size - window);
  const lastNewline = tail.subarray(0, read).lastIndexOf(0x0a);
  if (lastNewline === read - 1) return size;
  if (lastNewline === -1) return window === size ? 0 : size;
  return size - window + lastNewline + 1;
}
