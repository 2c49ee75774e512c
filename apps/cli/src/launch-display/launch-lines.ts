import type { LaunchEvent, LaunchSnapshot } from '@runboard/launcher';
import { formatDuration, terminalText } from '../terminal/terminal-text.js';

/**
 * How far the launch is (0–1) and its ETA in seconds, from the runs this launch has to do:
 * finished ones count whole, running ones by their reported percent. The ETA extrapolates the
 * rate so far; `undefined` until there is enough to go on.
 *
 * @example
 * const { fraction, etaSeconds } = overallProgress(snapshot);
 */
export function overallProgress(snapshot: LaunchSnapshot): {
  fraction: number;
  etaSeconds: number | undefined;
} {
  const todo = snapshot.total - snapshot.doneAtStart;
  if (todo <= 0) return { fraction: 1, etaSeconds: 0 };
  const finished = snapshot.succeeded + snapshot.failed + snapshot.cancelled - snapshot.doneAtStart;
  const partial = snapshot.active.reduce((sum, run) => sum + (run.progress?.percent ?? 0) / 100, 0);
  const fraction = Math.min(1, Math.max(0, (finished + partial) / todo));
  const elapsedSeconds = (snapshot.now - snapshot.startedAt) / 1000;
  if (fraction >= 1) return { fraction, etaSeconds: 0 };
  if (fraction < 0.005 || elapsedSeconds < 1) return { fraction, etaSeconds: undefined };
  return { fraction, etaSeconds: (elapsedSeconds * (1 - fraction)) / fraction };
}

/**
 * One line for an event, or `undefined` for events that only update the live display. Text
 * that jobs or their records control (errors, reasons, warnings) is made safe to print.
 *
 * @example
 * describeEvent({ type: 'started', runId: 'a', attempt: 1, gpus: [0] }, snapshot); // 'started a (attempt 1, GPU 0)'
 */
export function describeEvent(event: LaunchEvent, snapshot: LaunchSnapshot): string | undefined {
  const line = eventLine(event, snapshot);
  return line === undefined ? undefined : terminalText(line);
}

function eventLine(event: LaunchEvent, snapshot: LaunchSnapshot): string | undefined {
  const gpus = (ids: readonly number[]) => (ids.length > 0 ? `, GPU ${ids.join(',')}` : '');
  switch (event.type) {
    case 'reconciled': {
      const parts = [`${event.total} runs`, `${event.done} done`, `${event.toStart} to start`];
      if (event.adopted > 0) parts.push(`${event.adopted} already running`);
      return `plan: ${parts.join(', ')}`;
    }
    case 'started':
      return `started ${event.runId} (attempt ${event.attempt}${gpus(event.gpus)})`;
    case 'adopted':
      return `watching ${event.runId} (attempt ${event.attempt}, started earlier${gpus(event.gpus)})`;
    case 'finished': {
      const took =
        event.durationSeconds === undefined ? '' : ` in ${formatDuration(event.durationSeconds)}`;
      if (event.outcome === 'succeeded') return `succeeded ${event.runId}${took}`;
      const why = event.error
        ? `: ${event.error}`
        : event.exitCode != null
          ? `: exit code ${event.exitCode}`
          : '';
      return `${event.outcome} ${event.runId} (attempt ${event.attempt})${took}${why}`;
    }
    case 'retrying':
      return `retrying ${event.runId}${event.delaySeconds > 0 ? ` in ${formatDuration(event.delaySeconds)}` : ''} (attempt ${event.failedAttempt} failed)`;
    case 'lost':
      return `lost ${event.runId} (attempt ${event.attempt}): ${event.reason}`;
    case 'blocked':
      return `not starting ${event.runId}: ${event.dependencies.join(', ')} failed`;
    case 'warning':
      return `warning: ${event.runId ? `${event.runId}: ` : ''}${event.message}`;
    case 'stopping':
      return `stopping (${event.reason}): no new runs start; ${snapshot.active.length} running go on and the next launch adopts them`;
  }
}

/**
 * The summary line at the end of a launch.
 *
 * @example
 * describeSummary(snapshot); // 'done: 38 succeeded, 2 failed of 40 in 2h 04m'
 */
export function describeSummary(snapshot: LaunchSnapshot): string {
  const parts = [`${snapshot.succeeded} succeeded`];
  if (snapshot.failed > 0) parts.push(`${snapshot.failed} failed`);
  if (snapshot.cancelled > 0) parts.push(`${snapshot.cancelled} cancelled`);
  const unfinished = snapshot.total - snapshot.succeeded - snapshot.failed - snapshot.cancelled;
  if (unfinished > 0) parts.push(`${unfinished} not finished`);
  return `${snapshot.stopping ? 'stopped' : 'done'}: ${parts.join(', ')} of ${snapshot.total} in ${formatDuration((snapshot.now - snapshot.startedAt) / 1000)}`;
}
