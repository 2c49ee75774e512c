import {
  closeSync,
  constants,
  fstatSync,
  fsyncSync,
  ftruncateSync,
  openSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { RUN_FILES, OUTCOME_FILE_BYTES, type AttemptOutcome } from '../run-folder/run-files.js';

/** The longest error text kept in `outcome.json`, so that the whole outcome fits its fixed size. */
const MAX_TEXT = 600;

/**
 * The supervisor's side of `outcome.json` (see `RUN_FILES.outcome`): created at its fixed size
 * before the job starts, its blocks on disk (fsynced), and from then on only overwritten in
 * place, the same number of bytes at offset 0, so that a write needs no new blocks and works
 * on a full disk. (On copy-on-write file systems, btrfs or ZFS, an overwrite needs new blocks
 * too: there it is only as good as `progress.json`.) Writes never throw: a failed one is returned.
 *
 * @example
 * const outcome = OutcomeFile.prepare(runDir);
 * outcome.start({ attempt: 2, supervisorPid: process.pid, host: hostname() });
 * outcome.update({ status: 'succeeded', exitCode: 0, finishedAt: new Date().toISOString() });
 */
export class OutcomeFile {
  private current: AttemptOutcome | undefined;

  private constructor(
    readonly path: string,
    private fd: number | undefined,
  ) {}

  /**
   * Opens `outcome.json` in `runDir`, creating it at its fixed size (holding `null`: no outcome)
   * when it is missing or has another size. An earlier attempt's outcome is left as it is until
   * {@link write}.
   *
   * @throws the `fs` error when the file cannot be created (then the run must not start).
   */
  static prepare(runDir: string): OutcomeFile {
    const path = join(runDir, RUN_FILES.outcome);
    const fd = openSync(path, constants.O_RDWR | constants.O_CREAT, 0o644);
    try {
      if (fstatSync(fd).size !== OUTCOME_FILE_BYTES) {
        writeAt(fd, Buffer.from('null'.padEnd(OUTCOME_FILE_BYTES - 1) + '\n'));
        ftruncateSync(fd, OUTCOME_FILE_BYTES);
        fsyncSync(fd);
      }
    } catch (error) {
      closeSync(fd);
      throw error;
    }
    return new OutcomeFile(path, fd);
  }

  /** The outcome last written (or tried). */
  get outcome(): AttemptOutcome | undefined {
    return this.current;
  }

  /**
   * Writes (durably) that `attempt` runs under this supervisor: `status: 'running'`, nothing
   * known yet of its end.
   */
  start(owner: Pick<AttemptOutcome, 'attempt' | 'supervisorPid' | 'host'>): unknown {
    return this.write(
      {
        schemaVersion: 1,
        ...owner,
        status: 'running',
        exitCode: null,
        signal: null,
        error: null,
        finishedAt: null,
        recordError: null,
      },
      { durable: true },
    );
  }

  /**
   * Overwrites the file with `outcome` (`updatedAt` set to now); with `durable`, fsyncs it.
   * Returns the error when the write failed.
   */
  write(outcome: Omit<AttemptOutcome, 'updatedAt'>, options: { durable?: boolean } = {}): unknown {
    this.current = { ...outcome, updatedAt: new Date().toISOString() };
    if (this.fd === undefined) return undefined;
    try {
      writeAt(this.fd, serialize(this.current));
      if (options.durable) fsyncSync(this.fd);
      return undefined;
    } catch (error) {
      return error;
    }
  }

  /** Rewrites the last outcome with `patch` applied. */
  update(patch: Partial<AttemptOutcome>, options: { durable?: boolean } = {}): unknown {
    if (!this.current) return undefined;
    return this.write({ ...this.current, ...patch }, options);
  }

  close(): void {
    if (this.fd === undefined) return;
    closeSync(this.fd);
    this.fd = undefined;
  }
}

function writeAt(fd: number, data: Buffer): void {
  let written = 0;
  while (written < data.length)
    written += writeSync(fd, data, written, data.length - written, written);
}

/** `outcome` as exactly {@link OUTCOME_FILE_BYTES} bytes: JSON, spaces, a newline. */
function serialize(outcome: AttemptOutcome): Buffer {
  const short = (text: string | null): string | null =>
    text !== null && text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT - 1)}…` : text;
  let json = JSON.stringify({
    ...outcome,
    error: short(outcome.error),
    recordError: short(outcome.recordError),
  });
  // Only a very long host name could make it not fit: then the texts go.
  if (Buffer.byteLength(json) > OUTCOME_FILE_BYTES - 1)
    json = JSON.stringify({ ...outcome, error: null, recordError: null });
  const data = Buffer.alloc(OUTCOME_FILE_BYTES, 0x20);
  data.write(json, 0, 'utf8');
  data[OUTCOME_FILE_BYTES - 1] = 0x0a;
  return data;
}
