import { checkNumberOption } from '@runboard/locking';
import type { MetricsLine } from '../progress/metrics-line.js';
import { AppendFile } from './append-file.js';
import { compactMetricsFile } from './metrics-compaction.js';

/** After a failed compaction (a full disk), lines past the cap are dropped this long before it is tried again. */
const COMPACTION_RETRY_MS = 10_000;

/**
 * Appends JSON lines to `metrics.jsonl`, each line whole or not at all ({@link AppendFile}), so
 * that a reader sees whole lines (but for the last one while it is written) and a failed write
 * (a full disk) never leaves a fragment for the next line to glue onto. A file left ending
 * mid-line (a writer that died mid-write) is cut back to its last whole line when opened.
 *
 * Capped at `maxBytes`: a line that would pass the cap first thins the file's older half
 * ({@link compactMetricsFile}), so the file keeps the whole history, recent points at full
 * resolution and older ones evenly spaced in time.
 *
 * @example
 * const metrics = new MetricsLog('/runs/a/metrics.jsonl', 8 * 1024 * 1024);
 * metrics.append({ time: new Date().toISOString(), attempt: 1, source: 'marker', current: 3 });
 */
export class MetricsLog {
  private file: AppendFile;
  private compactionFailure: { error: unknown; retryAt: number } | undefined;

  constructor(
    readonly path: string,
    readonly maxBytes: number,
  ) {
    checkNumberOption('maxBytes', maxBytes, { integer: true, min: 1024 });
    this.file = AppendFile.open(path, { trimTornEnd: true });
  }

  /** Bytes in the file. */
  get size(): number {
    return this.file.size;
  }

  /**
   * Appends one line, thinning the file first when the line would pass the cap.
   *
   * @throws the write error (`ENOSPC` …); the file is left as it was.
   */
  append(line: MetricsLine): void {
    if (this.file.closed) return;
    const data = Buffer.from(JSON.stringify(line) + '\n');
    if (this.file.size > 0 && this.file.size + data.length > this.maxBytes) this.compact();
    this.file.append(data);
  }

  close(): void {
    this.file.close();
  }

  private compact(): void {
    const failure = this.compactionFailure;
    if (failure && Date.now() < failure.retryAt) throw failure.error;
    try {
      compactMetricsFile(this.path, this.file.size);
      this.compactionFailure = undefined;
    } catch (error) {
      this.compactionFailure = { error, retryAt: Date.now() + COMPACTION_RETRY_MS };
      throw error;
    }
    this.file.close();
    this.file = AppendFile.open(this.path, { trimTornEnd: true });
  }
}
