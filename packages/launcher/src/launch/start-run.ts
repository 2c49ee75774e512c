import type { RunRecord } from '../run-folder/run-record.js';
import { updateRunRecord } from '../run-folder/run-records.js';
import type { ExecSpec, StartedExec } from './executors/executor.js';
import { withGpuClaims } from './gpus/gpu-claims.js';
import type { ServerBusy } from './gpus/server-slots.js';
import type { LaunchState } from './launch-state.js';
import { cancelPending, cancelRequested } from './pending-cancels.js';
import { judgeRecord } from './record-judge.js';
import {
  blockedRecord,
  claimedRecord,
  newQueuedRecord,
  startFailedRecord,
  unreachedRecord,
} from './record-transitions.js';
import { StartUnreachedError } from './executors/start-unreached-error.js';
import type { RunEntry } from './run-entry.js';
import { ownExited } from './run-watch.js';
import { isClaimOf, sameRecord } from './same-record.js';

/** Starts in a row that may go back to the queue unreached before one counts as failed. */
const MAX_UNREACHED_STARTS = 3;

/** How soon a run whose GPUs other launchers' runs hold is looked at again. */
const GPU_RETRY_MS = 250;

type Claim = { changed: boolean; record: RunRecord | undefined };

/**
 * Starts a run the scheduler picked: a cancel request that came first cancels it; else its
 * record is claimed (compare-and-set on the record judged, with its GPUs under the root's GPU
 * lock) and the executor starts the attempt. A claim someone else changed first is judged
 * instead.
 */
export async function claimAndStart(state: LaunchState, entry: RunEntry): Promise<void> {
  const judged = entry.record;
  const now = new Date();
  if (await cancelRequested(entry)) {
    await cancelPending(state, entry);
    return;
  }
  const claim =
    state.serverSlots || entry.run.gpuCount > 0
      ? await claimPlaced(state, entry, judged, now)
      : await claimRecord(state, entry, judged, now);
  if (claim === undefined) {
    // Its GPUs are held by another launcher's runs: look again shortly.
    state.release(entry, 'pending');
    entry.notBefore = Date.now() + GPU_RETRY_MS;
    entry.notBeforeReason = 'gpu-slot';
    state.scheduler.schedule();
    return;
  }
  if (!claim.changed || claim.record === undefined) {
    state.release(entry, 'pending');
    await judgeRecord(state, entry, claim.record);
    state.scheduler.schedule();
    return;
  }
  const record = claim.record;
  entry.record = record;
  entry.reclaim = false;
  entry.notBefore = undefined;
  entry.waiting = null;
  const attempt = record.attempt;
  let exec: StartedExec;
  try {
    exec = await state.executor.start(execSpec(state, entry, attempt));
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    // Given back a few times in a row at most: a server that answers probes but refuses every
    // start would otherwise hold the run in a loop.
    const unreached =
      error instanceof StartUnreachedError &&
      (entry.unreachedStarts = (entry.unreachedStarts ?? 0) + 1) <= MAX_UNREACHED_STARTS;
    const ended = await updateRunRecord(entry.runDir, (current) =>
      current?.status === 'starting' &&
      current.attempt === attempt &&
      isClaimOf(current, state.identity)
        ? unreached
          ? unreachedRecord(current, entry.run, new Date())
          : startFailedRecord(current, reason, new Date())
        : undefined,
    );
    if (unreached && ended.changed)
      state.emit({
        type: 'warning',
        runId: entry.run.id,
        message: `run ${entry.run.id}: ${reason}; it is queued again (the attempt does not count)`,
      });
    await judgeRecord(state, entry, ended.record);
    return;
  }
  entry.own = { attempt, exec };
  entry.unreachedStarts = 0;
  entry.phase = 'active';
  state.emit({ type: 'started', runId: entry.run.id, attempt, gpus: entry.gpus, pid: exec.pid });
  state.warmExecutor();
  void exec.exited.then((exit) =>
    state.serial(entry, () => ownExited(state, entry, attempt, exec, exit)),
  );
}

/** Records a run whose dependencies failed for good as failed (blocked), unless cancelled first. */
export async function blockRun(
  state: LaunchState,
  entry: RunEntry,
  dependencies: string[],
): Promise<void> {
  // A cancel request that came first wins: the run is cancelled, not failed.
  if (await cancelRequested(entry)) {
    await cancelPending(state, entry);
    return;
  }
  const judged = entry.record;
  const result = await updateRunRecord(entry.runDir, (current) =>
    sameRecord(current, judged) && (current.status === 'queued' || current.status === 'starting')
      ? blockedRecord(current, dependencies, new Date())
      : undefined,
  );
  state.release(entry, 'pending');
  if (result.changed) {
    entry.record = result.record;
    state.emit({ type: 'blocked', runId: entry.run.id, dependencies });
    state.finish(entry, 'failed', result.record?.error);
  } else {
    await judgeRecord(state, entry, result.record);
  }
  state.scheduler.schedule();
}

/** Claims the run's record (compare-and-set on the record judged) with `entry.gpus`. */
function claimRecord(
  state: LaunchState,
  entry: RunEntry,
  judged: RunRecord | undefined,
  now: Date,
): Promise<Claim> {
  const server = state.serverOf.get(entry);
  // A server pool's claim names its server: other launchers count it against that server.
  const onServer = (record: RunRecord): RunRecord =>
    server === undefined ? record : { ...record, server, executor: { kind: 'ssh' } };
  return updateRunRecord(entry.runDir, (current) => {
    if (current === undefined && judged === undefined)
      return onServer(
        claimedRecord(newQueuedRecord(entry.run, now), entry.run, state.identity, entry.gpus, now),
      );
    if (!sameRecord(current, judged)) return undefined;
    if (current.status !== 'queued' && !(current.status === 'starting' && entry.reclaim))
      return undefined;
    return onServer(
      claimedRecord(current, entry.run, state.identity, entry.gpus, now, {
        uncounted: entry.reclaim,
      }),
    );
  });
}

/**
 * Places the run under the root's GPU claims lock — its GPUs, or its server and GPUs there —
 * counting what runs of every launcher on this root hold (their records), and claims it there;
 * `undefined` when nothing has room now.
 */
async function claimPlaced(
  state: LaunchState,
  entry: RunEntry,
  judged: RunRecord | undefined,
  now: Date,
): Promise<Claim | undefined> {
  let claim: Claim | undefined;
  await withGpuClaims(state.plan.root, entry.run.id, state.holdOptions(), async (busy, servers) => {
    claim = undefined;
    const placed = state.serverSlots
      ? placeOnServer(state, entry, servers)
      : placeOnGpus(state, entry, busy);
    if (!placed) return false;
    claim = await claimRecord(state, entry, judged, now);
    // A run another launcher claimed first holds its GPUs too: stays listed either way.
    return claim.record?.status === 'starting' || claim.record?.status === 'running';
  });
  return claim;
}

/** Gives the run a server of the pool and GPUs there, in place of any it had; `false`: none has room. */
function placeOnServer(
  state: LaunchState,
  entry: RunEntry,
  servers: Map<string, ServerBusy>,
): boolean {
  const previous = state.serverOf.get(entry);
  if (previous !== undefined) state.serverSlots!.release(previous, entry.gpus);
  state.serverOf.delete(entry);
  entry.gpus = [];
  const result = state.placeOnServer(entry, servers);
  if ('waiting' in result) return false;
  state.serverOf.set(entry, result.placement.server);
  entry.gpus = result.placement.gpus;
  return true;
}

/** Gives the run free GPUs the policy allows, in place of any it had; `false`: none now. */
function placeOnGpus(state: LaunchState, entry: RunEntry, busy: Map<number, number>): boolean {
  state.slots.release(entry.gpus);
  entry.gpus = [];
  const allowed = state.gpuStatus?.allowedGpus();
  if (state.gpuStatus && allowed === undefined) return false;
  const gpus = state.slots.allocate(entry.run.gpuCount, {
    pinned: entry.run.pinnedGpus,
    allowed,
    busy,
  });
  if (gpus === undefined) return false;
  entry.gpus = gpus;
  return true;
}

/** What the executor needs to start attempt `attempt` of the run. */
function execSpec(state: LaunchState, entry: RunEntry, attempt: number): ExecSpec {
  const { run } = entry;
  const { plan } = state;
  const spec: ExecSpec = {
    runId: run.id,
    runDir: entry.runDir,
    attempt,
    gpus: entry.gpus,
    gpuPlan: plan.gpus.length > 0,
    server: state.serverOf.get(entry),
    argv: run.argv,
    env: run.env,
    cwd: run.cwd,
    heartbeatSeconds: plan.heartbeatSeconds,
  };
  if (run.timeoutSeconds !== undefined) spec.timeoutSeconds = run.timeoutSeconds;
  if (plan.logMaxBytes !== undefined) spec.logMaxBytes = plan.logMaxBytes;
  if (plan.metricsMaxBytes !== undefined) spec.metricsMaxBytes = plan.metricsMaxBytes;
  if (run.epochDirs) spec.epochDirs = run.epochDirs;
  return spec;
}
