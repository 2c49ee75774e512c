import type { RunWaiting } from '@runboard/launcher';
import type { RunView } from '@runboard/dashboard-api';
import { formatDuration, terminalText } from '../terminal/terminal-text.js';

/**
 * Why a run waits, as the run view says (`RunView.waiting`: the launcher's stored reason,
 * `no-launcher` when no launcher is live on the root, or Slurm's reason for a submitted job
 * still pending); `null` when it is not waiting.
 */
export function runWaiting(run: RunView): RunWaiting | null {
  return run.status === 'queued' || run.status === 'starting' ? (run.waiting ?? null) : null;
}

/**
 * A queued run's reason to wait in a few plain words, like `squeue`'s REASON column. A retry
 * delay says how long is left, as of `now`, or that it is over (the run then waits for a slot).
 *
 * @example
 * waitingText({ reason: 'dependency', detail: 'sweep/a' }, Date.now()); // 'waiting for sweep/a'
 */
export function waitingText(waiting: RunWaiting, now: number): string {
  const detail = waiting.detail ? terminalText(waiting.detail) : '';
  switch (waiting.reason) {
    case 'slot':
      return 'waiting for a free slot';
    case 'dependency':
      return detail ? `waiting for ${detail}` : 'waiting for its dependencies';
    case 'retry-delay': {
      const until = waiting.until ? Date.parse(waiting.until) : Number.NaN;
      if (Number.isNaN(until)) return 'retry delay';
      return until > now
        ? `retry delay, ${formatDuration((until - now) / 1000)} left`
        : 'retry delay over, waiting for a slot';
    }
    case 'gpu-policy':
      return detail ? `no GPU passes the policy: ${detail}` : 'no GPU passes the policy';
    case 'gpu-slot':
      return 'waiting for a free GPU';
    case 'slurm':
      return detail ? `Slurm: ${detail}` : 'pending in Slurm';
    case 'no-launcher':
      return 'no launcher is running';
    default:
      return detail || String(waiting.reason);
  }
}
