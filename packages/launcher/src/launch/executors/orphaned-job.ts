import { readdirSync, readFileSync } from 'node:fs';
import { hostname, uptime } from 'node:os';
import { readProcessStat } from '@runboard/locking';
import type { RunRecord } from '../../run-folder/run-record.js';
import { isProcessGroupAlive, stopProcessGroup } from '../../supervisor/process-group.js';

/** How long an orphaned job gets between SIGTERM and SIGKILL. */
const ORPHAN_GRACE_MS = 5_000;

/**
 * Stops the job of a run whose supervisor is gone, before the run is recorded lost and retried,
 * so that the retry never runs beside it: the supervisor spawns the job as the leader of its own
 * process group, which outlives a killed supervisor. Only on this host. The group is the
 * record's `pid` when the job was started since this machine booted (after a reboot the pid
 * may name an unrelated group); when the supervisor died before recording the pid, it is found
 * on Linux by the job's environment (`RUNBOARD_RUN_DIR` and `RUNBOARD_ATTEMPT`).
 * Resolves with the number of live groups stopped. The local executor's
 * `Executor.stopOrphanedJob`.
 *
 * @example
 * await stopOrphanedJob(record, runDir); // 1: the job's group got SIGTERM (SIGKILL after 5 s)
 */
export async function stopOrphanedJob(record: RunRecord, runDir: string): Promise<number> {
  if (record.host !== hostname()) return 0;
  const groups = new Set<number>();
  const startedAt = Date.parse(record.startedAt ?? '');
  const bootedAt = Date.now() - uptime() * 1000;
  if (
    record.pid &&
    record.pid > 1 &&
    !Number.isNaN(startedAt) &&
    startedAt >= bootedAt &&
    isProcessGroupAlive(record.pid)
  ) {
    groups.add(record.pid);
  }
  if (!record.pid)
    for (const group of jobGroupsByEnvironment(runDir, record.attempt)) groups.add(group);
  await Promise.all(
    [...groups].map((group) => stopProcessGroup(group, { graceMs: ORPHAN_GRACE_MS })),
  );
  return groups.size;
}

/** Process groups of processes whose environment names this run folder and attempt (Linux). */
function jobGroupsByEnvironment(runDir: string, attempt: number): number[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc').filter((entry) => /^\d+$/.test(entry));
  } catch {
    return [];
  }
  const wanted = [`RUNBOARD_RUN_DIR=${runDir}`, `RUNBOARD_ATTEMPT=${attempt}`];
  const ownGroup = readProcessStat('self')?.groupId;
  const groups = new Set<number>();
  for (const entry of entries) {
    let environment: string[];
    try {
      environment = readFileSync(`/proc/${entry}/environ`, 'utf8').split('\0');
    } catch {
      continue; // gone, or another user's
    }
    if (!wanted.every((variable) => environment.includes(variable))) continue;
    const group = readProcessStat(Number(entry))?.groupId;
    if (group !== undefined && group > 1 && group !== ownGroup) groups.add(group);
  }
  return [...groups];
}
