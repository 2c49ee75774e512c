import { isTerminalStatus } from '../run-folder/run-status.js';
import { readRunRecord } from '../run-folder/run-records.js';
import type { ExecExit, StartedExec } from './executors/executor.js';
import type { LaunchState } from './launch-state.js';
import { judgeRecord, settleEndedSupervisor } from './record-judge.js';
import type { RunEntry } from './run-entry.js';

/**
 * The local process of an attempt this launcher started has ended. When it was the supervisor
 * and it left the attempt unfinished, its end is taken from `outcome.json` or, when that does
 * not know it, the attempt is lost at once (no waiting for a stale heartbeat); otherwise its
 * record is judged as it stands.
 */
export async function ownExited(
  state: LaunchState,
  entry: RunEntry,
  attempt: number,
  exec: StartedExec,
  exit: ExecExit,
): Promise<void> {
  // A late exit of an earlier attempt must not touch a later one.
  if (entry.own?.attempt !== attempt || entry.own.exec !== exec) return;
  entry.own = undefined;
  const record = await readRunRecord(entry.runDir);
  if (
    exit.supervisorEnded &&
    record &&
    record.attempt === attempt &&
    !isTerminalStatus(record.status) &&
    (record.supervisorPid ?? exec.pid) === exec.pid
  ) {
    const how = exit.signal ? `killed by ${exit.signal}` : `exited with code ${exit.code}`;
    const reason = `supervisor ${exec.pid ?? ''} ${how} without recording a result`.replace(
      '  ',
      ' ',
    );
    await judgeRecord(state, entry, await settleEndedSupervisor(state, entry, record, reason));
    return;
  }
  await judgeRecord(state, entry, record);
}

/**
 * The poll the launch runs every `pollIntervalMs`: reads the records of active runs, those of
 * runs others started (watched) every time, our own every `ownPollIntervalMs` for their
 * progress (their end arrives as an exit), or every `endPollMs` of executors that learn of ends
 * late, whose attempts end with their final record. One poll at a time.
 */
export function recordPoll(state: LaunchState): () => void {
  let busy = false;
  return () => {
    if (busy || state.finished) return;
    const now = Date.now();
    const ownInterval = state.options.ownPollIntervalMs ?? 500;
    const due = state.entries.filter(
      (entry) =>
        entry.phase === 'active' &&
        (entry.own === undefined ||
          now - entry.lastOwnPoll >= (entry.own.exec.endPollMs ?? ownInterval)),
    );
    if (due.length === 0) return;
    busy = true;
    const reads = due.map((entry) => {
      if (entry.own) entry.lastOwnPoll = now;
      return new Promise<void>((resolve) => {
        state.serial(entry, async () => {
          try {
            if (entry.phase !== 'active') return;
            const record = await readRunRecord(entry.runDir);
            const own = entry.own;
            if (own) {
              if (!record || record.attempt !== own.attempt) return;
              // A local supervisor's end arrives as its exit; a remote one's as its final record.
              if (own.exec.endPollMs === undefined || !isTerminalStatus(record.status)) {
                entry.record = record;
                return;
              }
              entry.own = undefined;
              own.exec.detach();
            }
            await judgeRecord(state, entry, record);
          } finally {
            resolve();
          }
        });
      });
    });
    void Promise.all(reads).then(() => (busy = false));
  };
}
