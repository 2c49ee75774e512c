import type { RunMetrics, RunProgress } from '../run-folder/index.js';
import { EtaEstimator, type EtaEstimatorOptions } from './eta-estimator.js';
import { PROGRESS_SOURCES, type ProgressReport, type ProgressSource } from './progress-report.js';

/** Settings of {@link ProgressTracker}. */
export interface ProgressTrackerOptions extends EtaEstimatorOptions {
  /**
   * Where counts (`current`, `total`, `unit`) come from. Default: markers and tqdm bars.
   * When a run counts epoch folders, only those set the counts; markers still set messages
   * and metrics, and tqdm bars (often the inner per-batch bar) are ignored.
   */
  countSources?: readonly ProgressSource[];
}

/** The run's progress and metrics at one moment, ready for the record. */
export interface ProgressSnapshot {
  progress: RunProgress | null;
  metrics: RunMetrics | null;
  /** When `progress.current` last changed, in ms; `undefined` before any count. */
  progressChangedAt: number | undefined;
}

/**
 * Folds a job's progress reports into its current progress: the counts of the latest report,
 * the percent, a smoothed ETA ({@link EtaEstimator}) and the latest value of each metric.
 * A new bar (a smaller `current`) or a changed `total` or `unit` restarts the ETA estimate.
 *
 * @example
 * const tracker = new ProgressTracker();
 * tracker.apply({ current: 5, total: 10 }, 'marker', Date.now());
 * tracker.snapshot(Date.now()).progress; // { current: 5, total: 10, percent: 50, … }
 */
export class ProgressTracker {
  private readonly estimator: EtaEstimator;
  private readonly countSources: ReadonlySet<ProgressSource>;
  private current: number | undefined;
  private total: number | null = null;
  private unit: string | null = null;
  private message: string | null = null;
  private hasProgress = false;
  private metrics: RunMetrics | null = null;
  private changedAt: number | undefined;

  constructor(options: ProgressTrackerOptions = {}) {
    this.estimator = new EtaEstimator(options);
    this.countSources = new Set(
      options.countSources ?? [PROGRESS_SOURCES.marker, PROGRESS_SOURCES.tqdm],
    );
  }

  /**
   * Applies one report from `source` observed at `timeMs`. Returns the part of the report that
   * was used (`undefined` when it was ignored), which is what goes to `metrics.jsonl`.
   */
  apply(
    report: ProgressReport,
    source: ProgressSource,
    timeMs: number,
  ): ProgressReport | undefined {
    const countsAllowed = this.countSources.has(source);
    if (!countsAllowed && source !== PROGRESS_SOURCES.marker) return undefined;
    const used: ProgressReport = {};
    if (countsAllowed) this.applyCounts(report, timeMs, used);
    if (report.message !== undefined) {
      this.message = report.message;
      this.hasProgress = true;
      used.message = report.message;
    }
    if (report.metrics && Object.keys(report.metrics).length > 0) {
      this.metrics = { ...this.metrics, ...report.metrics };
      used.metrics = report.metrics;
    }
    return Object.keys(used).length > 0 ? used : undefined;
  }

  /** The progress and metrics at `timeMs`: the ETA counts down from the last report. */
  snapshot(timeMs: number): ProgressSnapshot {
    return {
      progress: this.hasProgress ? this.progressAt(timeMs) : null,
      metrics: this.metrics,
      progressChangedAt: this.changedAt,
    };
  }

  private applyCounts(report: ProgressReport, timeMs: number, used: ProgressReport): void {
    const total = report.total !== undefined ? report.total : this.total;
    const unit = report.unit !== undefined ? report.unit : this.unit;
    if (total !== this.total || unit !== this.unit) this.estimator.reset();
    if (report.total !== undefined) used.total = report.total;
    if (report.unit !== undefined) used.unit = report.unit;
    this.total = total;
    this.unit = unit;
    if (report.current !== undefined) {
      if (report.current !== this.current) this.changedAt = timeMs;
      this.current = report.current;
      this.estimator.observe(report.current, timeMs);
      used.current = report.current;
    }
    if (report.current !== undefined || report.total !== undefined || report.unit !== undefined) {
      this.hasProgress = true;
    }
  }

  private progressAt(timeMs: number): RunProgress {
    const current = this.current ?? 0;
    const total = this.total;
    let percent: number | null = null;
    let etaSeconds: number | null = null;
    if (total !== null && total > 0) {
      percent = Math.round(Math.min(100, (current / total) * 100) * 10) / 10;
      const eta = this.estimator.etaSeconds(total);
      const observedAt = this.estimator.lastObservedAt;
      if (eta !== undefined && observedAt !== undefined) {
        etaSeconds = Math.max(0, Math.round(eta - (timeMs - observedAt) / 1000));
      }
    }
    const rate = this.estimator.ratePerSecond;
    return {
      current,
      total,
      unit: this.unit,
      percent,
      etaSeconds,
      ratePerSecond: rate === undefined ? null : Number(rate.toPrecision(4)),
      message: this.message,
    };
  }
}
