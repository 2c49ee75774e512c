import { checkNumberOption } from '@runboard/locking';

/** Settings of {@link EtaEstimator}. */
export interface EtaEstimatorOptions {
  /** A rate sample's weight halves after this many seconds. Default 60. */
  halfLifeSeconds?: number;
  /** Observations closer together than this are merged into one sample. Default 0.5. */
  minSampleSeconds?: number;
}

/**
 * A smoothed rate of progress and the time left, from observations of a growing counter.
 *
 * Each sample is the rate since the previous one; samples are averaged with an exponentially
 * weighted moving average whose weights decay with time, not with the number of samples, so
 * a bar redrawn 20 times a second and an epoch count that changes once an hour are both
 * smoothed sensibly: `weight = 1 - 2^(-Δt / halfLife)`. The first sample sets the rate.
 *
 * @example
 * const estimator = new EtaEstimator();
 * estimator.observe(0, 0);
 * estimator.observe(10, 5_000);
 * estimator.etaSeconds(100); // 45
 */
export class EtaEstimator {
  private readonly halfLifeMs: number;
  private readonly minSampleMs: number;
  private anchor: { current: number; timeMs: number } | undefined;
  private rate: number | undefined;
  private last: { current: number; timeMs: number } | undefined;

  constructor(options: EtaEstimatorOptions = {}) {
    const halfLifeSeconds = options.halfLifeSeconds ?? 60;
    const minSampleSeconds = options.minSampleSeconds ?? 0.5;
    // A half-life under a millisecond would make every sample the whole average.
    checkNumberOption('halfLifeSeconds', halfLifeSeconds, { min: 0.001 });
    checkNumberOption('minSampleSeconds', minSampleSeconds, { min: 0 });
    this.halfLifeMs = halfLifeSeconds * 1000;
    this.minSampleMs = minSampleSeconds * 1000;
  }

  /** Records that the counter stood at `current` at `timeMs`. A smaller value than before starts over. */
  observe(current: number, timeMs: number): void {
    if (this.last && current < this.last.current) this.reset();
    this.last = { current, timeMs };
    if (!this.anchor) {
      this.anchor = { current, timeMs };
      return;
    }
    const elapsedMs = timeMs - this.anchor.timeMs;
    if (elapsedMs < this.minSampleMs || elapsedMs <= 0) return;
    const sample = ((current - this.anchor.current) / elapsedMs) * 1000;
    const weight = this.rate === undefined ? 1 : 1 - 2 ** (-elapsedMs / this.halfLifeMs);
    this.rate = this.rate === undefined ? sample : this.rate + weight * (sample - this.rate);
    this.anchor = { current, timeMs };
  }

  /** The smoothed rate in units per second, once two observations far enough apart exist. */
  get ratePerSecond(): number | undefined {
    return this.rate;
  }

  /**
   * Seconds until the counter reaches `total` at the smoothed rate, counted from the last
   * observation; `undefined` while the rate is unknown or zero.
   */
  etaSeconds(total: number): number | undefined {
    if (!this.last) return undefined;
    const left = total - this.last.current;
    if (left <= 0) return 0;
    if (this.rate === undefined || !(this.rate > 0)) return undefined;
    return left / this.rate;
  }

  /** When the last observation was made, in ms. */
  get lastObservedAt(): number | undefined {
    return this.last?.timeMs;
  }

  /** Forgets every observation (a new bar started, or the total changed). */
  reset(): void {
    this.anchor = undefined;
    this.rate = undefined;
    this.last = undefined;
  }
}
