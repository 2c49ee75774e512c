import type { ResolvedRun } from '../plan/resolve-plan.js';
import type { RunRecord, RunWaiting } from '../run-folder/run-record.js';
import type { StartedExec } from './executors/executor.js';
import type { ReconciledRun, RunOutcome } from './reconcile.js';

/**
 * Where a run stands in this launcher: waiting to start, being claimed (or blocked, or
 * cancelled), started or watched, or done for this launch.
 */
export type RunPhaseInLaunch = 'pending' | 'claiming' | 'active' | 'done';

/** One run of the plan as a launch tracks it. */
export interface RunEntry {
  /** Its place in the plan: runs start in this order. */
  index: number;
  run: ResolvedRun;
  runDir: string;
  record: RunRecord | undefined;
  phase: RunPhaseInLaunch;
  /** The next claim takes over a dead launcher's claim (uncounted). */
  reclaim: boolean;
  notBefore?: number;
  /** Why `notBefore` holds it back: a retry delay, GPUs other launchers hold, or a backoff after an error. */
  notBeforeReason?: 'retry-delay' | 'gpu-slot' | 'backoff';
  /** Why it waits, as this launcher last recorded (or found) it; `null`: a slot (the default). */
  waiting: RunWaiting | null;
  /** The attempt this launcher started and still holds the process of. */
  own?: { attempt: number; exec: StartedExec };
  /** Starts in a row that did not reach their server (given back to the queue uncounted). */
  unreachedStarts?: number;
  /** GPU slots held (own or watched run). */
  gpus: number[];
  outcome?: RunOutcome;
  error?: string | null;
  /** Operations on one run run one after another. */
  queue: Promise<void>;
  /** Operations queued or running; the scheduler only picks runs with none (their state is settled). */
  operations: number;
  lastOwnPoll: number;
}

/** A run as reconciliation left it, waiting to be started, watched or reported. */
export function createRunEntry(item: ReconciledRun, index: number): RunEntry {
  const entry: RunEntry = {
    index,
    run: item.run,
    runDir: item.runDir,
    record: item.record,
    phase: 'pending',
    reclaim: item.decision.kind === 'reclaim',
    gpus: [],
    queue: Promise.resolve(),
    operations: 0,
    lastOwnPoll: 0,
    waiting: item.record?.status === 'queued' ? (item.record.waiting ?? null) : null,
  };
  if (item.decision.kind === 'pending' && item.decision.notBefore !== undefined) {
    entry.notBefore = item.decision.notBefore;
    entry.notBeforeReason = 'retry-delay';
  }
  return entry;
}

/** Whether the run takes one of the plan's `concurrency` slots (being claimed, or active). */
export function holdsSlot(entry: RunEntry): boolean {
  return entry.phase === 'active' || entry.phase === 'claiming';
}
