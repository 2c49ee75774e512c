import { readdirSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { checkNumberOption, isEndedState, readProcessStat } from '@runboard/locking';

/**
 * Sends `signal` to every process of group `groupId` (a job spawned with `detached: true`
 * leads its own group, whose id is its pid). Returns false when the group is gone.
 *
 * @example
 * signalProcessGroup(child.pid, 'SIGTERM');
 */
export function signalProcessGroup(groupId: number, signal: NodeJS.Signals | 0): boolean {
  checkNumberOption('groupId', groupId, { integer: true, min: 2 });
  try {
    process.kill(-groupId, signal);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ESRCH') return false;
    // EPERM: a member that belongs to another user (setuid); it still exists.
    if (code === 'EPERM') return true;
    throw error;
  }
}

/**
 * Whether any live process of group `groupId` is left. On Linux, zombies (dead processes
 * nobody has reaped yet, e.g. orphans under a container init that does not reap) do not
 * count: they are found in `/proc`. Elsewhere any member counts.
 *
 * @example
 * if (isProcessGroupAlive(pid)) signalProcessGroup(pid, 'SIGKILL');
 */
export function isProcessGroupAlive(groupId: number): boolean {
  if (!signalProcessGroup(groupId, 0)) return false;
  const members = liveGroupMembersFromProc(groupId);
  return members === undefined || members.length > 0;
}

/**
 * The pids of group `groupId` that are not zombies, read from `/proc`; `undefined` where
 * there is no `/proc`.
 *
 * @example
 * liveGroupMembersFromProc(child.pid); // [12345, 12350]
 */
export function liveGroupMembersFromProc(groupId: number): number[] | undefined {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return undefined;
  }
  const members: number[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readProcessStat(Number(entry));
    if (stat && stat.groupId === groupId && !isEndedState(stat.state)) members.push(Number(entry));
  }
  return members;
}

/** How {@link stopProcessGroup} went. */
export interface StopProcessGroupResult {
  /** Whether SIGKILL had to be sent after the grace period. */
  killed: boolean;
  /** Whether processes were still left after SIGKILL and the final wait. */
  survivors: boolean;
}

/**
 * Stops a process group: SIGTERM to all of it, up to `graceMs` for it to empty, then SIGKILL,
 * then up to `killWaitMs` more. Resolves once the group is gone or the waits are over.
 *
 * @example
 * await stopProcessGroup(child.pid, { graceMs: 10_000 });
 */
export async function stopProcessGroup(
  groupId: number,
  options: { graceMs: number; killWaitMs?: number; pollMs?: number; signal?: NodeJS.Signals },
): Promise<StopProcessGroupResult> {
  const pollMs = options.pollMs ?? 50;
  if (!signalProcessGroup(groupId, options.signal ?? 'SIGTERM'))
    return { killed: false, survivors: false };
  if (await waitForGroupExit(groupId, options.graceMs, pollMs))
    return { killed: false, survivors: false };
  signalProcessGroup(groupId, 'SIGKILL');
  const gone = await waitForGroupExit(groupId, options.killWaitMs ?? 5000, pollMs);
  return { killed: true, survivors: !gone };
}

/** Polls until group `groupId` is empty; false when `timeoutMs` passed first. */
export async function waitForGroupExit(
  groupId: number,
  timeoutMs: number,
  pollMs = 50,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (!isProcessGroupAlive(groupId)) return true;
    if (Date.now() >= deadline) return false;
    await sleep(Math.min(pollMs, Math.max(1, deadline - Date.now())));
  }
}
