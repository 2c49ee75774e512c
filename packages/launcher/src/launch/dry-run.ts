import { hostname } from 'node:os';
import type { ResolvedPlan } from '../plan/resolve-plan.js';
import { GpuSlots } from './gpus/gpu-slots.js';
import { ServerSlots } from './gpus/server-slots.js';
import { skippedEvent } from './skipped-event.js';
import type { ReconciledRun, RunOutcome } from './reconcile.js';
import { reconcilePlan } from './reconcile.js';
import type { LauncherIdentity } from './record-transitions.js';
import { attemptLimit, hasAttemptsLeft } from './record-transitions.js';

/** What a launch would do with a run right now. */
export type DryRunAction =
  /** Starts at once, with these GPUs. */
  | 'start'
  /** Would start once a slot or GPU is free (or its retry delay is over). */
  | 'queue'
  /** Waits for dependencies. */
  | 'wait'
  /** Already running (or being started by a live launcher): watched, keeps its slot. */
  | 'running'
  /** Nothing to do (succeeded, or failed / cancelled for good). */
  | 'skip';

export interface DryRunEntry {
  id: string;
  action: DryRunAction;
  /** Why, in a few words: `new`, `retry 2 of 3`, `succeeded`, `after train/a` … */
  note: string;
  command: string[] | string;
  /** The attempt it would start as. */
  attempt?: number;
  /** GPUs it would get (for `start`) or holds (for `running`). */
  gpus?: number[];
  /** The server of a pool it would start on (for `start`) or runs on (for `running`). */
  server?: string;
}

export interface DryRunOptions {
  retryFailed?: boolean;
  launcher?: LauncherIdentity;
}

/**
 * What `runboard launch` would do now, without writing anything: which runs start at once
 * (with their GPUs, and in a server pool their server, given the slots held by runs already
 * running), which wait, which are skipped. Nothing is asked of the servers: every one counts as
 * answering, and the GPU policy is not consulted.
 *
 * @example
 * for (const entry of await dryRunLaunch(plan)) console.log(entry.action, entry.id, entry.gpus);
 */
export async function dryRunLaunch(
  plan: ResolvedPlan,
  options: DryRunOptions = {},
): Promise<DryRunEntry[]> {
  const launcher = options.launcher ?? { host: hostname(), pid: process.pid };
  const reconciled = await reconcilePlan(plan, {
    launcher,
    retryFailed: options.retryFailed,
    dryRun: true,
  });
  const slots = new GpuSlots(plan.gpus, plan.runsPerGpu);
  const servers = plan.servers ? new ServerSlots(plan.servers, plan.runsPerGpu) : undefined;
  const outcomes = new Map<string, RunOutcome | 'later'>();
  let active = 0;
  const entries = reconciled.map((item): DryRunEntry => {
    const base = { id: item.run.id, command: item.run.command };
    const { decision, record } = item;
    if (item.error)
      return { ...base, action: 'skip', note: `unreadable record: ${item.error.message}` };
    if (decision.kind === 'done') {
      outcomes.set(item.run.id, decision.outcome);
      const skipped = skippedEvent(item, decision.outcome);
      const notes: string[] = [decision.outcome];
      if (skipped?.commandChanged) notes.push('command changed since it ran');
      if (skipped?.retryFailedWouldRun) notes.push('--retry-failed would run it');
      return { ...base, action: 'skip', note: notes.join('; ') };
    }
    if (decision.kind === 'ended' && decision.outcome.status === 'succeeded') {
      outcomes.set(item.run.id, 'succeeded');
      return { ...base, action: 'skip', note: 'succeeded (its end is in outcome.json)' };
    }
    if (decision.kind === 'watch') {
      const running = {
        ...base,
        action: 'running' as const,
        note: `${record?.status} (attempt ${record?.attempt})`,
      };
      active++;
      if (servers && record?.server) {
        servers.take(record.server, record.gpus ?? []);
        return { ...running, gpus: [...(record.gpus ?? [])], server: record.server };
      }
      const gpus = (record?.gpus ?? []).filter((id) => plan.gpus.includes(id));
      slots.take(gpus);
      return { ...running, gpus };
    }
    if (
      decision.kind === 'lost' &&
      record &&
      !hasAttemptsLeft(record, item.run) &&
      !options.retryFailed
    ) {
      outcomes.set(item.run.id, 'failed');
      return { ...base, action: 'skip', note: 'lost, no attempts left' };
    }
    return { ...base, action: 'queue', note: describePending(item) };
  });
  // The first wave, in plan order, as the launcher's scheduler would pick it.
  reconciled.forEach((item, index) => {
    const entry = entries[index];
    if (entry.action !== 'queue') return;
    const notBefore = item.decision.kind === 'pending' ? item.decision.notBefore : undefined;
    const waitingFor = item.run.dependsOn.filter((id) => outcomes.get(id) !== 'succeeded');
    const failed = waitingFor.filter(
      (id) => outcomes.get(id) === 'failed' || outcomes.get(id) === 'cancelled',
    );
    outcomes.set(item.run.id, 'later');
    entry.attempt = (item.record?.attempt ?? 0) + 1;
    if (failed.length > 0) {
      Object.assign(entry, { action: 'skip', note: `not started: ${failed.join(', ')} failed` });
      outcomes.set(item.run.id, 'failed');
      delete entry.attempt;
    } else if (waitingFor.length > 0) {
      Object.assign(entry, {
        action: 'wait',
        note: `${entry.note}, after ${waitingFor.join(', ')}`,
      });
    } else if (notBefore !== undefined && notBefore > Date.now()) {
      entry.note += `, in ${Math.ceil((notBefore - Date.now()) / 1000)} s`;
    } else if (active < plan.concurrency) {
      const { run } = item;
      const placement = servers
        ? servers.allocate({
            gpuCount: run.gpuCount,
            pinnedGpus: run.pinnedGpus,
            servers: run.servers,
          })
        : {
            gpus: run.gpuCount > 0 ? slots.allocate(run.gpuCount, { pinned: run.pinnedGpus }) : [],
          };
      if (placement?.gpus !== undefined) {
        entry.action = 'start';
        entry.gpus = placement.gpus;
        if ('server' in placement) entry.server = placement.server;
        active++;
      }
    }
  });
  return entries;
}

function describePending(item: ReconciledRun): string {
  const { decision, record, run } = item;
  const next = (record?.attempt ?? 0) + 1;
  const limit = record ? attemptLimit(record, run) : run.maxAttempts;
  const attempts =
    run.maxAttempts > 1
      ? `, attempt ${next - ((record?.firstAttempt ?? 1) - 1)} of ${run.maxAttempts}`
      : '';
  switch (decision.kind) {
    case 'new':
      return `new${attempts}`;
    case 'reclaim':
      return `claimed by a launcher that is gone${attempts}`;
    case 'lost':
      return `lost (${decision.reason}), ${limit > (record?.attempt ?? 0) ? `retry${attempts}` : 'fresh attempts'}`;
    case 'ended':
      return `${decision.outcome.status} (its end is in outcome.json), retry${attempts}`;
    case 'pending':
      if (decision.requeue === 'fresh')
        return record?.status === 'succeeded' ? 'outdated' : `${record?.status}, fresh attempts`;
      if (decision.requeue === 'retry') return `retry after failure${attempts}`;
      if (decision.requeue === 'unblock') return 'dependencies may succeed now';
      return `queued${attempts}`;
    default:
      return '';
  }
}
