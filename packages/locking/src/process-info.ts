import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';

/** The fields of `/proc/<pid>/stat` that runboard uses (Linux). */
export interface ProcessStat {
  /** One letter: `R` running, `S` sleeping, `Z` zombie, `X` dead, … */
  state: string;
  parentPid: number;
  /** The process group id (a job spawned with `detached: true` leads its own). */
  groupId: number;
  /** Clock ticks since boot at which the process started: tells a reused pid apart. */
  startTime: string;
}

/**
 * Parses the text of `/proc/<pid>/stat`; `undefined` when it is not one.
 *
 * @example
 * parseProcessStat('42 (my (odd) name) S 1 42 42 0 -1 …'); // { state: 'S', parentPid: 1, groupId: 42, … }
 */
export function parseProcessStat(text: string): ProcessStat | undefined {
  // The command name (field 2) is in parentheses and may itself hold spaces and parentheses.
  const close = text.lastIndexOf(')');
  if (close < 0) return undefined;
  const fields = text.slice(close + 2).split(' ');
  const state = fields[0];
  const parentPid = Number(fields[1]);
  const groupId = Number(fields[2]);
  const startTime = fields[19];
  if (!state || !Number.isInteger(parentPid) || !Number.isInteger(groupId) || !startTime)
    return undefined;
  return { state, parentPid, groupId, startTime: startTime.trim() };
}

/**
 * `/proc/<pid>/stat` of a process of this machine, read synchronously (microseconds on procfs);
 * `undefined` when the process does not exist or there is no procfs.
 *
 * @example
 * readProcessStat('self')?.startTime;
 */
export function readProcessStat(pid: number | 'self'): ProcessStat | undefined {
  try {
    return parseProcessStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return undefined;
  }
}

/**
 * {@link readProcessStat} without blocking the event loop, for servers.
 *
 * @example
 * const parent = (await readProcessStatAsync(pid))?.parentPid;
 */
export async function readProcessStatAsync(pid: number): Promise<ProcessStat | undefined> {
  try {
    return parseProcessStat(await readFile(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return undefined;
  }
}

/** Whether a `/proc` state letter means the process has ended (zombie or dead). */
export function isEndedState(state: string): boolean {
  return state === 'Z' || state === 'X';
}

/**
 * The one liveness rule of runboard, for a process of this machine: it exists (signal 0;
 * `EPERM` means it exists under another user), it is not a zombie (an ended process nobody has
 * reaped, e.g. under a container init that does not reap), and, when `startTime` is given, it
 * is the same process (a reused pid has another start time). Where `/proc` cannot be read
 * (another OS, `hidepid`), signal 0 decides.
 *
 * @example
 * isProcessAlive(record.pid); // false once the job exited, even before it is reaped
 * isProcessAlive(owner.pid, { startTime: owner.startTime }); // false for a reused pid
 */
export function isProcessAlive(pid: number, options: { startTime?: string | null } = {}): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const stat = readProcessStat(pid);
  if (stat === undefined) return true;
  if (isEndedState(stat.state)) return false;
  return options.startTime == null || stat.startTime === options.startTime;
}
