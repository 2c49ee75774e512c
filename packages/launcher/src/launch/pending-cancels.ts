import { readControlRequest } from '../run-folder/control-request.js';
import { updateRunRecord } from '../run-folder/run-records.js';
import { isTerminalStatus } from '../run-folder/run-status.js';
import type { LaunchState } from './launch-state.js';
import { judgeRecord } from './record-judge.js';
import { cancelledBeforeStartRecord } from './record-transitions.js';
import type { RunEntry } from './run-entry.js';
import { sameRecord } from './same-record.js';

/** Whether the run's `control.json` asks to cancel it. */
export async function cancelRequested(entry: RunEntry): Promise<boolean> {
  try {
    return (await readControlRequest(entry.runDir)).cancel !== undefined;
  } catch {
    return false; // an unreadable control.json must not stop the run from starting
  }
}

/** Records a run that has not started as cancelled (a cancel request came first). */
export async function cancelPending(state: LaunchState, entry: RunEntry): Promise<void> {
  const judged = entry.record;
  const result = await updateRunRecord(entry.runDir, (current) =>
    sameRecord(current, judged) && !isTerminalStatus(current.status) && current.status !== 'running'
      ? cancelledBeforeStartRecord(current, new Date())
      : undefined,
  );
  state.release(entry, 'pending');
  await judgeRecord(state, entry, result.record);
  state.scheduler.schedule();
}

/** `control.json` files read per scan at most, so that a scan costs the same for any plan size. */
export const CANCEL_SCAN_BATCH = 250;

/**
 * The scan the launch runs every second: cancel requests of runs that wait (for dependencies, a
 * slot, a retry delay) end those runs at once; a run that starts checks at its claim anyway.
 * Each scan reads at most {@link CANCEL_SCAN_BATCH} `control.json` files, going round the
 * waiting runs (a plan of up to that many is read whole every second; one of 30,000 in two
 * minutes). One scan at a time.
 */
export function pendingCancelScan(state: LaunchState): () => void {
  let busy = false;
  let cursor = 0;
  return () => {
    if (busy || state.stopping) return;
    const { entries } = state;
    const batch: RunEntry[] = [];
    for (let seen = 0; seen < entries.length && batch.length < CANCEL_SCAN_BATCH; seen++) {
      cursor = cursor >= entries.length - 1 ? 0 : cursor + 1;
      const entry = entries[cursor];
      if (entry.phase === 'pending' && entry.operations === 0) batch.push(entry);
    }
    if (batch.length === 0) return;
    busy = true;
    void Promise.all(
      batch.map(async (entry) => {
        if (!(await cancelRequested(entry)) || entry.phase !== 'pending' || entry.operations > 0)
          return;
        entry.phase = 'claiming';
        state.serial(entry, () => cancelPending(state, entry));
      }),
    ).finally(() => (busy = false));
  };
}
