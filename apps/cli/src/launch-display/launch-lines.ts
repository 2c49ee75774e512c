import type { LaunchEvent, LaunchSnapshot } from '@runboard/launcher';
import { formatDuration, terminalText } from '../terminal/terminal-text.js';

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
      if (event.unreadable) parts.push(`${event.unreadable} unreadable`);
      return `plan: ${parts.join(', ')}`;
    }
    case 'skipped':
      return skippedLine(event);
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
      // "in 30s" alone would promise a start that waits for a free slot too.
      return `retrying ${event.runId}${event.delaySeconds > 0 ? ` in ${formatDuration(event.delaySeconds)} at the earliest` : ''} (attempt ${event.failedAttempt} failed)`;
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

/** Why a run that ended before this launch does not run now, and what would run it. */
function skippedLine(event: Extract<LaunchEvent, { type: 'skipped' }>): string {
  const why = event.error ? `: ${event.error}` : '';
  const attempt = event.attempt > 0 ? `, attempt ${event.attempt}` : '';
  const notes: string[] = [];
  if (event.commandChanged) notes.push('its command changed since it ran');
  if (event.retryFailedWouldRun) notes.push('use --retry-failed to run it again');
  else if (event.commandChanged)
    notes.push('it succeeded, so it is not run again (remove its run folder to rerun it)');
  return `skipped ${event.runId} (${event.outcome}${attempt}${why})${notes.length > 0 ? `: ${notes.join('; ')}` : ''}`;
}
