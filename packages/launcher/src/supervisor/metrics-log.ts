import { closeSync, openSync, writeSync } from 'node:fs';
import type { MetricsLine } from '../progress/metrics-line.js';

/**
 * Appends JSON lines to `metrics.jsonl`, one `write` per line on an `O_APPEND` descriptor so
 * that a reader sees whole lines (but for the last one while it is written).
 *
 * @example
 * const metrics = new MetricsLog('/runs/a/metrics.jsonl');
 * metrics.append({ time: new Date().toISOString(), attempt: 1, source: 'marker', current: 3 });
 */
export class MetricsLog {
  private fd: number | undefined;

  constructor(readonly path: string) {
    this.fd = openSync(path, 'a');
  }

  append(line: MetricsLine): void {
    if (this.fd === undefined) return;
    const data = Buffer.from(JSON.stringify(line) + '\n');
    let written = 0;
    while (written < data.length)
      written += writeSync(this.fd, data, written, data.length - written);
  }

  close(): void {
    if (this.fd === undefined) return;
    closeSync(this.fd);
    this.fd = undefined;
  }
}
