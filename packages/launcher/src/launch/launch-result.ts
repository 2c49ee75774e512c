import type { LaunchSnapshot, RunPhase, RunSnapshot } from './launch-events.js';
import type { RunOutcome } from './reconcile.js';
import type { RunEntry } from './run-entry.js';
import { holdsSlot } from './run-entry.js';

/** How one run of the plan ended, in a {@link LaunchResult}. */
export interface RunResult {
  id: string;
  /** `undefined`: not finished when the launch stopped. */
  outcome?: RunOutcome;
  attempt: number;
  error?: string | null;
}

/** What `launch` resolves with. */
export interface LaunchResult {
  /** Every run reached a final state (else the launch was stopped first). */
  completed: boolean;
  /** 0 when every run succeeded, 1 otherwise. */
  exitCode: 0 | 1;
  succeeded: number;
  failed: number;
  cancelled: number;
  unfinished: number;
  runs: RunResult[];
}

/** The result of a launch whose runs stand as `entries` do. */
export function launchResult(entries: readonly RunEntry[]): LaunchResult {
  const runs = entries.map((entry): RunResult => {
    const result: RunResult = { id: entry.run.id, attempt: entry.record?.attempt ?? 0 };
    if (entry.outcome) result.outcome = entry.outcome;
    if (entry.error) result.error = entry.error;
    return result;
  });
  const count = (outcome: RunOutcome) => runs.filter((run) => run.outcome === outcome).length;
  const succeeded = count('succeeded');
  const unfinished = runs.filter((run) => run.outcome === undefined).length;
  return {
    completed: unfinished === 0,
    exitCode: succeeded === runs.length ? 0 : 1,
    succeeded,
    failed: count('failed'),
    cancelled: count('cancelled'),
    unfinished,
    runs,
  };
}

/** The launch at this moment, for reporters. */
export function launchSnapshot(
  entries: readonly RunEntry[],
  launch: { startedAt: number; doneAtStart: number; stopping: boolean },
): LaunchSnapshot {
  const active: RunSnapshot[] = [];
  let succeeded = 0;
  let failed = 0;
  let cancelled = 0;
  let pending = 0;
  for (const entry of entries) {
    if (entry.outcome === 'succeeded') succeeded++;
    else if (entry.outcome === 'failed') failed++;
    else if (entry.outcome === 'cancelled') cancelled++;
    if (entry.phase === 'pending') pending++;
    if (holdsSlot(entry)) active.push(runSnapshot(entry));
  }
  return {
    startedAt: launch.startedAt,
    now: Date.now(),
    total: entries.length,
    succeeded,
    failed,
    cancelled,
    active,
    pending,
    doneAtStart: launch.doneAtStart,
    stopping: launch.stopping,
  };
}

function runSnapshot(entry: RunEntry): RunSnapshot {
  const record = entry.record;
  const phase: RunPhase =
    entry.phase === 'done'
      ? 'done'
      : entry.phase === 'pending'
        ? 'pending'
        : record?.status === 'running'
          ? 'running'
          : 'starting';
  const snapshot: RunSnapshot = {
    id: entry.run.id,
    phase,
    attempt: record?.attempt ?? 0,
    gpus: entry.gpus,
    own: entry.own !== undefined,
    status: record?.status,
    progress: record?.progress,
    startedAt: record?.startedAt,
  };
  if (entry.outcome) snapshot.outcome = entry.outcome;
  if (entry.error) snapshot.error = entry.error;
  return snapshot;
}
