import type { RunRecord } from '../run-folder/run-record.js';
import type { LauncherIdentity } from './record-transitions.js';

/**
 * The guard of every compare-and-set on a record: whether `current` is still the record
 * judged — same status, attempt, supervisor and claim. Nobody moves a record on without
 * changing one of these, so a write guarded by it never overwrites a supervisor's or another
 * launcher's.
 *
 * @example
 * await updateRunRecord(runDir, (current) =>
 *   sameRecord(current, judged) ? lostRecord(current, reason, new Date()) : undefined,
 * );
 */
export function sameRecord(
  current: RunRecord | undefined,
  judged: RunRecord | undefined,
): current is RunRecord {
  if (current === undefined || judged === undefined) return false;
  return (
    current.status === judged.status &&
    current.attempt === judged.attempt &&
    (current.supervisorPid ?? null) === (judged.supervisorPid ?? null) &&
    (current.launcher?.pid ?? null) === (judged.launcher?.pid ?? null) &&
    (current.launcher?.host ?? null) === (judged.launcher?.host ?? null)
  );
}

/** Whether `record` is claimed by launcher `identity`. */
export function isClaimOf(record: RunRecord, identity: LauncherIdentity): boolean {
  return record.launcher?.host === identity.host && record.launcher?.pid === identity.pid;
}
