import type { RunWaiting } from '../run-folder/run-record.js';
import { updateRunRecord } from '../run-folder/run-records.js';
import type { LaunchState } from './launch-state.js';
import type { RunEntry } from './run-entry.js';
import { sameRecord } from './same-record.js';

/** Whether two wait reasons say the same (`since` aside). */
export function sameWaiting(a: RunWaiting | null | undefined, b: RunWaiting | null): boolean {
  if (!a || !b) return (a ?? null) === b;
  return (
    a.reason === b.reason &&
    (a.detail ?? null) === (b.detail ?? null) &&
    (a.until ?? null) === (b.until ?? null)
  );
}

/**
 * Records why a queued run waits, only when the reason changed: `null` for the default (a free
 * slot: readers assume `slot` for a queued record while a launcher is live), so that a plan of
 * 30,000 runs waiting for slots writes nothing. The write is a compare-and-set on the record
 * judged, in the run's serial queue, not fsynced (the next launch writes it again).
 */
export function noteWaiting(state: LaunchState, entry: RunEntry, waiting: RunWaiting | null): void {
  if (sameWaiting(entry.waiting, waiting)) return;
  entry.waiting = waiting;
  const judged = entry.record;
  if (judged?.status !== 'queued') return;
  state.serial(entry, async () => {
    const now = new Date().toISOString();
    const result = await updateRunRecord(
      entry.runDir,
      (current) =>
        sameRecord(current, judged) &&
        current.status === 'queued' &&
        !sameWaiting(current.waiting, waiting)
          ? { ...current, waiting: waiting && { ...waiting, since: now }, updatedAt: now }
          : undefined,
      { durable: false },
    );
    if (result.changed && entry.phase === 'pending' && sameRecord(result.record, judged))
      entry.record = result.record;
  });
}

/** The dependencies of `entry` that have not succeeded (yet). */
export function unmetDependencies(state: LaunchState, entry: RunEntry): string[] {
  return entry.run.dependsOn.filter((id) => state.byId.get(id)?.outcome !== 'succeeded');
}

/** A dependency succeeded: its waiting dependents' reason moves on (fewer names, or a slot). */
export function dependencySucceeded(state: LaunchState, dependency: RunEntry): void {
  for (const dependent of state.dependents.get(dependency.run.id) ?? []) {
    if (dependent.phase !== 'pending' || dependent.waiting?.reason !== 'dependency') continue;
    const unmet = unmetDependencies(state, dependent);
    noteWaiting(
      state,
      dependent,
      unmet.length > 0 ? { reason: 'dependency', detail: unmet.join(', ') } : null,
    );
  }
}
