import type { LaunchEvent, LaunchSnapshot } from '@runboard/launcher';
import { percentText } from '../terminal/terminal-text.js';

/**
 * What a reporter learns from a launch's events that its snapshots do not hold: how long the
 * runs that succeeded took (to estimate the ones that just started), and how many runs had
 * ended without success before the launch (they are not work to do).
 *
 * @example
 * const tally = new LaunchTally();
 * tally.observe(event);
 * overallProgress(snapshot, tally);
 */
export class LaunchTally {
  /** Seconds each run that succeeded during this launch took. */
  readonly succeededSeconds: number[] = [];
  /** Runs that were failed or cancelled when the launch began. */
  unsuccessfulAtStart = 0;

  observe(event: LaunchEvent): void {
    if (
      event.type === 'finished' &&
      event.outcome === 'succeeded' &&
      event.durationSeconds !== undefined
    )
      this.succeededSeconds.push(event.durationSeconds);
    // Every run that had failed or been cancelled before the launch gets a `skipped` event.
    if (event.type === 'skipped' && event.outcome !== 'succeeded') this.unsuccessfulAtStart += 1;
  }

  /** Mean seconds of a run that succeeded in this launch; `undefined` before the first. */
  get meanSucceededSeconds(): number | undefined {
    const count = this.succeededSeconds.length;
    return count === 0 ? undefined : this.succeededSeconds.reduce((sum, s) => sum + s, 0) / count;
  }
}

/** How far a launch is. */
export interface OverallProgress {
  /**
   * Progress (0–1) of the work this launch can still complete: runs that succeeded count
   * whole, running ones by their percent, and runs that ended without success are left out of
   * both sides. `null` when nothing is left that can succeed (every run to do failed).
   */
  fraction: number | null;
  /** Runs of this launch that failed or were cancelled for good. */
  endedUnsuccessful: number;
  /** Seconds left, or `undefined` until there is enough to go on. */
  etaSeconds: number | undefined;
}

/**
 * How far the launch is and its ETA, from the runs this launch has to do (runs done at its
 * start do not count). With runs that succeeded to learn from, the ETA gives each running run
 * its reported ETA, else the mean duration less what it ran (a run that just started counts
 * whole), and each waiting run the mean, spread over the runs going at once; before that, it
 * extrapolates the rate so far.
 *
 * @example
 * const { fraction, etaSeconds } = overallProgress(snapshot, tally);
 */
export function overallProgress(
  snapshot: LaunchSnapshot,
  tally: Pick<LaunchTally, 'meanSucceededSeconds' | 'unsuccessfulAtStart'> = new LaunchTally(),
): OverallProgress {
  const unsuccessfulAtStart = Math.min(tally.unsuccessfulAtStart, snapshot.doneAtStart);
  const succeededAtStart = snapshot.doneAtStart - unsuccessfulAtStart;
  const endedUnsuccessful = Math.max(0, snapshot.failed + snapshot.cancelled - unsuccessfulAtStart);
  const completable = snapshot.total - snapshot.doneAtStart - endedUnsuccessful;
  if (completable <= 0)
    return {
      fraction: snapshot.total === snapshot.doneAtStart ? 1 : null,
      endedUnsuccessful,
      etaSeconds: 0,
    };
  const partial = snapshot.active.reduce((sum, run) => sum + (run.progress?.percent ?? 0) / 100, 0);
  const done = Math.max(0, snapshot.succeeded - succeededAtStart) + partial;
  const fraction = Math.min(1, done / completable);
  if (fraction >= 1) return { fraction, endedUnsuccessful, etaSeconds: 0 };
  const mean = tally.meanSucceededSeconds;
  if (mean !== undefined)
    return { fraction, endedUnsuccessful, etaSeconds: etaFromMean(snapshot, mean) };
  const elapsedSeconds = (snapshot.now - snapshot.startedAt) / 1000;
  if (fraction < 0.005 || elapsedSeconds < 1)
    return { fraction, endedUnsuccessful, etaSeconds: undefined };
  return {
    fraction,
    endedUnsuccessful,
    etaSeconds: (elapsedSeconds * (1 - fraction)) / fraction,
  };
}

/** The larger of the longest running run's rest and all the work left spread over the runs at once. */
function etaFromMean(snapshot: LaunchSnapshot, mean: number): number {
  const running = snapshot.active.map((run) => {
    if (run.progress?.etaSeconds != null) return run.progress.etaSeconds;
    const started = Date.parse(run.startedAt ?? '');
    const ran = Number.isNaN(started) ? 0 : Math.max(0, (snapshot.now - started) / 1000);
    const percent = run.progress?.percent;
    return percent != null ? mean * (1 - percent / 100) : Math.max(0, mean - ran);
  });
  const work = running.reduce((sum, seconds) => sum + seconds, 0) + snapshot.pending * mean;
  return Math.max(0, ...running, work / Math.max(1, snapshot.active.length));
}

/**
 * The percent of an {@link OverallProgress}, saying what it is a percent of when runs ended
 * without success: `45%`, `60% of what can succeed`, `—`.
 *
 * @example
 * progressText(overallProgress(snapshot, tally)); // '60% of what can succeed'
 */
export function progressText(progress: OverallProgress): string {
  const percent = percentText(progress.fraction === null ? null : progress.fraction * 100);
  return progress.endedUnsuccessful > 0 && progress.fraction !== null
    ? `${percent} of what can succeed`
    : percent;
}
