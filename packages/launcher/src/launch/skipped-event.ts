import { commandHash } from '../run-folder/command-hash.js';
import type { LaunchEvent } from './launch-events.js';
import type { ReconciledRun, RunOutcome } from './reconcile.js';

/**
 * The `skipped` event of a run that reconciliation found finished, or `undefined` when there is
 * nothing to say (a succeeded run whose command is unchanged, or whose record has no hash).
 *
 * @example
 * skippedEvent(item, 'failed'); // { type: 'skipped', runId, outcome: 'failed', retryFailedWouldRun: true, … }
 */
export function skippedEvent(
  item: ReconciledRun,
  outcome: RunOutcome,
): Extract<LaunchEvent, { type: 'skipped' }> | undefined {
  const recorded = item.record?.commandHash;
  const commandChanged = typeof recorded === 'string' && recorded !== commandHash(item.run);
  if (outcome === 'succeeded' && !commandChanged) return undefined;
  return {
    type: 'skipped',
    runId: item.run.id,
    outcome,
    attempt: item.record?.attempt ?? 0,
    error: item.record?.error ?? null,
    retryFailedWouldRun: outcome !== 'succeeded',
    commandChanged,
  };
}
