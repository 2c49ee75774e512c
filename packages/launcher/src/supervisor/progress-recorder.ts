import type { RunRecord } from '../run-folder/run-record.js';
import { RUN_FILES } from '../run-folder/run-files.js';
import type { MetricsLine } from '../progress/metrics-line.js';
import {
  PROGRESS_SOURCES,
  type ProgressReport,
  type ProgressSource,
} from '../progress/progress-report.js';
import { ProgressTracker, type ProgressSnapshot } from '../progress/progress-tracker.js';
import { RunSupersededError } from './errors.js';
import type { MetricsLog } from './metrics-log.js';
import { ThrottledRecordWriter, writeOwnedRecord, type RecordOwner } from './record-writer.js';

/** Settings of {@link ProgressRecorder}. */
export interface ProgressRecorderOptions {
  runDir: string;
  owner: RecordOwner;
  /** The record as claimed: recreated from it if `progress.json` goes missing. */
  claimed: RunRecord;
  /** The job's pid. */
  pid: number;
  metricsLog: MetricsLog;
  /** Only epoch folders set the counts (see {@link ProgressTracker}). */
  countsFromEpochDirs: boolean;
  etaHalfLifeSeconds: number;
  recordIntervalMs: number;
  heartbeatSeconds: number;
  metricsIntervalMs: number;
  /** One line for `run.log`. */
  note: (text: string) => void;
  /** The record moved to another attempt or supervisor: no further writes are made. */
  onSuperseded: (error: RunSupersededError) => void;
  /** A write failed otherwise (a full disk); the next change or heartbeat tries again. */
  onWriteError?: (error: unknown) => void;
}

/**
 * Records a running job's progress: folds reports into percent and ETA, writes `progress.json`
 * (throttled, conditional on the record still being this supervisor's attempt, and at least
 * every heartbeat), and appends each report as used to `metrics.jsonl` (tqdm redraws at most
 * one a `metricsIntervalMs`, the last one always).
 *
 * @example
 * const recorder = new ProgressRecorder({ runDir, owner, claimed, pid, metricsLog, … });
 * recorder.start();
 * recorder.report({ current: 3, total: 10 }, 'marker');
 * await recorder.stop();
 * const fields = recorder.recordFields(Date.now()); // progress, metrics, progressChangedAt
 */
export class ProgressRecorder {
  private readonly tracker: ProgressTracker;
  private readonly writer: ThrottledRecordWriter;
  private heartbeat: NodeJS.Timeout | undefined;
  private lastWriteErrorCode: unknown;
  private pendingTqdmLine: MetricsLine | undefined;
  private lastTqdmLineAt = Number.NEGATIVE_INFINITY;
  private tqdmTimer: NodeJS.Timeout | undefined;
  private droppedMetricsLines = 0;
  /** Whether the record was found to be another attempt's or another supervisor's. */
  superseded = false;

  constructor(private readonly options: ProgressRecorderOptions) {
    this.tracker = new ProgressTracker({
      halfLifeSeconds: options.etaHalfLifeSeconds,
      countSources: options.countsFromEpochDirs ? [PROGRESS_SOURCES.epochDirs] : undefined,
    });
    this.writer = new ThrottledRecordWriter({
      intervalMs: options.recordIntervalMs,
      write: () => this.writeRunning(),
      onError: (error) => this.writeFailed(error),
    });
  }

  /** Writes the record with the job's pid at once, then heartbeats. */
  start(): void {
    this.writer.changed();
    this.heartbeat = setInterval(() => this.writer.changed(), this.options.heartbeatSeconds * 1000);
  }

  /** Applies one report from `source`; what was used goes to `metrics.jsonl`. */
  report(report: ProgressReport, source: ProgressSource): void {
    const now = Date.now();
    const used = this.tracker.apply(report, source, now);
    if (!used) return;
    this.writer.changed();
    const line: MetricsLine = {
      time: new Date(now).toISOString(),
      attempt: this.options.owner.attempt,
      source,
      ...used,
    };
    if (used.current !== undefined || used.total !== undefined) {
      const progress = this.tracker.snapshot(now).progress;
      line.percent = progress?.percent ?? null;
      line.etaSeconds = progress?.etaSeconds ?? null;
    }
    if (source !== PROGRESS_SOURCES.tqdm) {
      this.appendMetrics(line);
      return;
    }
    // tqdm redraws up to ~10 times a second: keep at most one line a metricsInterval, and the last.
    this.pendingTqdmLine = line;
    const wait = this.lastTqdmLineAt + this.options.metricsIntervalMs - now;
    if (wait <= 0) this.flushTqdmLine();
    else this.tqdmTimer ??= setTimeout(() => this.flushTqdmLine(), wait);
  }

  /** Stops heartbeats and writes: the last tqdm line is appended, the write in flight awaited. */
  async stop(): Promise<void> {
    clearInterval(this.heartbeat);
    this.flushTqdmLine();
    await this.writer.flush();
  }

  /** The record fields that come from the progress: `progress`, `metrics`, `progressChangedAt`. */
  recordFields(now: number): Partial<RunRecord> {
    return progressFields(this.tracker.snapshot(now));
  }

  private async writeRunning(): Promise<void> {
    if (this.superseded) return;
    const { runDir, owner, claimed, pid } = this.options;
    const now = Date.now();
    await writeOwnedRecord(
      runDir,
      owner,
      {
        status: 'running',
        pid,
        heartbeatAt: new Date(now).toISOString(),
        ...this.recordFields(now),
      },
      { ...claimed, pid },
      // Progress and heartbeats need not survive a power loss (the rename keeps them atomic);
      // skipping the two fsyncs halves the cost of a write. The start and the end are durable.
      { durable: false },
    );
    this.lastWriteErrorCode = undefined;
  }

  private writeFailed(error: unknown): void {
    if (error instanceof RunSupersededError) {
      this.superseded = true;
      this.options.onSuperseded(error);
      return;
    }
    this.options.onWriteError?.(error);
    const code = (error as { code?: unknown }).code ?? String(error);
    if (code !== this.lastWriteErrorCode)
      this.options.note(`could not update ${RUN_FILES.progress}: ${String(error)}`);
    this.lastWriteErrorCode = code;
  }

  private flushTqdmLine(): void {
    if (this.tqdmTimer) clearTimeout(this.tqdmTimer);
    this.tqdmTimer = undefined;
    if (!this.pendingTqdmLine) return;
    this.appendMetrics(this.pendingTqdmLine);
    this.pendingTqdmLine = undefined;
    this.lastTqdmLineAt = Date.now();
  }

  /** Appends to `metrics.jsonl`; a spell of failures is noted once, and counted when it ends. */
  private appendMetrics(line: MetricsLine): void {
    try {
      this.options.metricsLog.append(line);
    } catch (error) {
      if (this.droppedMetricsLines === 0)
        this.options.note(`could not append to ${RUN_FILES.metrics}: ${String(error)}`);
      this.droppedMetricsLines += 1;
      return;
    }
    if (this.droppedMetricsLines > 0) {
      this.options.note(
        `${RUN_FILES.metrics} is written again; ${this.droppedMetricsLines} lines were dropped`,
      );
      this.droppedMetricsLines = 0;
    }
  }
}

/**
 * The record fields that come from a progress snapshot.
 *
 * @example
 * progressFields(new ProgressTracker().snapshot(Date.now())); // { progress: null, metrics: null }
 */
export function progressFields(snapshot: ProgressSnapshot): Partial<RunRecord> {
  return {
    progress: snapshot.progress,
    metrics: snapshot.metrics,
    ...(snapshot.progressChangedAt !== undefined
      ? { progressChangedAt: new Date(snapshot.progressChangedAt).toISOString() }
      : {}),
  };
}
