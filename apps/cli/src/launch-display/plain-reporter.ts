import type { LaunchEvent, LaunchReporter, LaunchSnapshot } from '@runboard/launcher';
import { formatDuration } from '../terminal/terminal-text.js';
import { describeEvent, describeSummary } from './launch-lines.js';
import { LaunchTally, overallProgress, progressText } from './launch-progress.js';

export interface PlainReporterOptions {
  /** Seconds between progress lines while runs are active (default 60; 0: none). */
  progressEverySeconds?: number;
  /** Prefix each line with the time (default true). */
  timestamps?: boolean;
}

/**
 * A reporter for logs and pipes: one line per event, a progress line now and then, and a
 * summary at the end. No cursor movement.
 *
 * @example
 * await launch({ plan, executor, reporter: createPlainReporter(process.stdout) });
 */
export function createPlainReporter(
  stream: NodeJS.WritableStream,
  options: PlainReporterOptions = {},
): LaunchReporter {
  const every = options.progressEverySeconds ?? 60;
  const stamp = () =>
    options.timestamps === false ? '' : `[${new Date().toISOString().slice(11, 19)}] `;
  const write = (line: string) => stream.write(`${stamp()}${line}\n`);
  const tally = new LaunchTally();
  const reporter: LaunchReporter = {
    event(event: LaunchEvent, snapshot: LaunchSnapshot) {
      tally.observe(event);
      const line = describeEvent(event, snapshot);
      if (line !== undefined) write(line);
    },
    close(snapshot: LaunchSnapshot) {
      write(describeSummary(snapshot));
    },
  };
  if (every > 0) {
    return {
      ...reporter,
      tickMs: every * 1000,
      tick(snapshot: LaunchSnapshot) {
        if (snapshot.active.length === 0) return;
        const progress = overallProgress(snapshot, tally);
        const finished = snapshot.succeeded + snapshot.failed + snapshot.cancelled;
        write(
          `progress: ${finished}/${snapshot.total} done, ${snapshot.active.length} running, ${progressText(progress)}` +
            (progress.etaSeconds === undefined
              ? ''
              : `, ETA ${formatDuration(progress.etaSeconds)}`),
        );
      },
    };
  }
  return reporter;
}
