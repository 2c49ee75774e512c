import { hostname } from 'node:os';
import { join } from 'node:path';
import { readJson, updateJson } from '@runboard/json-io';
import { isProcessAlive } from '@runboard/locking';
import { z } from 'zod';
import type { RunRecord, RunWaiting } from './run-record.js';

/** A file at the root (not a run folder: run ids never start with '.'). */
export const LAUNCHERS_FILE = '.runboard-launchers.json';

/** A launcher working on a root, as it registered itself in {@link LAUNCHERS_FILE}. */
export interface LauncherPresence {
  host: string;
  pid: number;
  startedAt: string;
  /** Refreshed every 10 s while the launcher runs. */
  heartbeatAt: string;
  /** The plan file it runs, when it came from one. */
  plan: string | null;
}

/** How often a launcher refreshes its `heartbeatAt`. */
export const LAUNCHER_HEARTBEAT_MS = 10_000;

/** A launcher of another host whose heartbeat is older than this is taken for gone. */
const DEFAULT_STALE_AFTER_MS = 60_000;

const presenceSchema = z.looseObject({
  host: z.string(),
  pid: z.number().int().positive(),
  startedAt: z.string(),
  heartbeatAt: z.string(),
  plan: z.string().nullable(),
});

const launchersFileSchema = z.looseObject({ launchers: z.array(presenceSchema) });

interface LaunchersFile {
  launchers: LauncherPresence[];
}

interface LivenessOptions {
  /** ms since the epoch. Default `Date.now()`. */
  now?: number;
  /** Default 60 s. */
  staleAfterMs?: number;
}

function isLive(presence: LauncherPresence, options: LivenessOptions): boolean {
  if (presence.host === hostname()) return isProcessAlive(presence.pid);
  const age = (options.now ?? Date.now()) - Date.parse(presence.heartbeatAt);
  return age < (options.staleAfterMs ?? DEFAULT_STALE_AFTER_MS);
}

/**
 * Live launchers on `root`: same host → pid alive (locking's `isProcessAlive`); other hosts →
 * `heartbeatAt` younger than `staleAfterMs` (default 60 s). None when the file is missing or
 * unreadable.
 *
 * @example
 * const live = await readLiveLaunchers('/logs');
 * if (live.length === 0) console.log('no launcher is running on /logs');
 */
export async function readLiveLaunchers(
  root: string,
  options: LivenessOptions = {},
): Promise<LauncherPresence[]> {
  const file = await readJson<LaunchersFile | null>(join(root, LAUNCHERS_FILE), {
    default: null,
    validate: launchersFileSchema.nullable() as z.ZodType<LaunchersFile | null>,
    deadlineMs: 500,
  }).catch(() => null);
  return (file?.launchers ?? []).filter((presence) => isLive(presence, options));
}

/**
 * Why a queued record waits: its stored `waiting`, `{ reason: 'slot' }` when none is stored (a
 * live launcher writes only the less common reasons), or `{ reason: 'no-launcher' }` when no
 * launcher is live; for a submitted Slurm job still `starting`, Slurm's reason; else undefined.
 *
 * @example
 * queuedWaiting(record, (await readLiveLaunchers(root)).length); // { reason: 'dependency', detail: 'prep' }
 */
export function queuedWaiting(record: RunRecord, liveLaunchers: number): RunWaiting | undefined {
  // A submitted Slurm job stays `starting` until its supervisor runs; Slurm says why it waits.
  if (record.status === 'starting' && record.waiting?.reason === 'slurm') return record.waiting;
  if (record.status !== 'queued') return undefined;
  if (liveLaunchers === 0) return { reason: 'no-launcher' };
  return record.waiting ?? { reason: 'slot' };
}

/**
 * Adds (or refreshes) `presence` in the root's {@link LAUNCHERS_FILE}, under its lock, dropping
 * entries of launchers that are gone; with `remove`, takes it out instead.
 *
 * @example
 * await registerLauncher('/logs', { host, pid, startedAt, heartbeatAt: startedAt, plan: 'plan.json' });
 * await registerLauncher('/logs', presence, { remove: true });
 */
export async function registerLauncher(
  root: string,
  presence: LauncherPresence,
  options: { remove?: boolean } = {},
): Promise<void> {
  await updateJson<LaunchersFile>(
    join(root, LAUNCHERS_FILE),
    (current) => {
      const others = current.launchers.filter(
        (entry) =>
          !(entry.host === presence.host && entry.pid === presence.pid) && isLive(entry, {}),
      );
      return { ...current, launchers: options.remove ? others : [...others, { ...presence }] };
    },
    {
      default: { launchers: [] },
      validate: launchersFileSchema as z.ZodType<LaunchersFile>,
      durable: false,
    },
  );
}
