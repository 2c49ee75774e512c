import { setTimeout as delay } from 'node:timers/promises';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { followLog } from '@runboard/dashboard-api';
import {
  isLocalProcessAlive,
  readLiveLaunchers,
  readRunRecord,
  RUN_FILES,
} from '@runboard/launcher';
import type { RunRecord } from '@runboard/launcher';
import { createAttemptMarker } from './attempt-marker.js';

export interface FollowRunLogOptions {
  /** The root of the run folders (where live launchers register). */
  root: string;
  runDir: string;
  /** Lines of the log shown first. */
  tail: number;
  /** Gets the log's text as it grows, with a `— attempt N —` line before each attempt. */
  write: (text: string) => void;
  /** Stops following (Ctrl-C). */
  signal: AbortSignal;
  /** How often the run's record is read to see it end; default 500 ms. */
  pollMs?: number;
  /**
   * How long a failed run with attempts left may stay failed before following ends, when a
   * launcher is live on the root but does not retry it; default 10 s. With no live launcher it
   * ends at once.
   */
  retryGraceMs?: number;
}

/** How long the end of a run's output may take to reach `run.log` after its final record. */
const DRAIN_TIMEOUT_MS = 5000;
const DRAIN_POLL_MS = 50;

/**
 * Follows a run's `run.log` across attempts (the dashboard's log follower: appends, rotation
 * and rewrites) until the run ends for good — succeeded, cancelled, or failed with no attempt
 * left — and its supervisor's last lines are in, or until `signal` aborts.
 * Resolves with the final record, or `undefined` when aborted.
 *
 * @example
 * const final = await followRunLog({ runDir, tail: 20, write: (t) => process.stdout.write(t), signal });
 */
export async function followRunLog(options: FollowRunLogOptions): Promise<RunRecord | undefined> {
  const pollMs = options.pollMs ?? 500;
  const retryGraceMs = options.retryGraceMs ?? 10_000;
  const marker = createAttemptMarker(options.write);
  let sentUpTo = 0;
  let failedSince: number | undefined;
  const stopFollowing = followLog(options.runDir, {
    tail: options.tail,
    recheckMs: Math.min(500, pollMs),
    onChunk: (chunk) => {
      sentUpTo = chunk.end;
      marker.push(chunk.text);
    },
  });
  try {
    while (!options.signal.aborted) {
      const record = await readRunRecord(options.runDir).catch(() => undefined);
      if (record?.status === 'failed') failedSince ??= Date.now();
      else failedSince = undefined;
      const retryGraceOver =
        failedSince !== undefined &&
        (Date.now() - failedSince >= retryGraceMs || !(await launcherLive(options.root)));
      if (record && endedForGood(record, retryGraceOver)) {
        await drain(options.runDir, record, () => sentUpTo, options.signal);
        return options.signal.aborted ? undefined : record;
      }
      await sleep(pollMs, options.signal);
    }
    return undefined;
  } finally {
    stopFollowing();
    marker.flush();
  }
}

/** Whether a launcher is live on `root` (one that cannot be told counts as live). */
async function launcherLive(root: string): Promise<boolean> {
  return readLiveLaunchers(root).then(
    (launchers) => launchers.length > 0,
    () => true,
  );
}

/** Succeeded, cancelled, or failed with no attempt left or no launcher to use one. */
function endedForGood(record: RunRecord, retryGraceOver: boolean): boolean {
  if (record.status === 'succeeded' || record.status === 'cancelled') return true;
  if (record.status !== 'failed') return false;
  const attemptsLeft =
    !record.blockedBy && record.maxAttempts !== undefined && record.attempt < record.maxAttempts;
  return !attemptsLeft || retryGraceOver;
}

/**
 * Waits for the rest of the output: the supervisor writes its last line after the final
 * record, so wait until it is gone (on this host) and everything in `run.log` was sent.
 */
async function drain(
  runDir: string,
  record: RunRecord,
  sentUpTo: () => number,
  signal: AbortSignal,
): Promise<void> {
  const deadline = Date.now() + DRAIN_TIMEOUT_MS;
  const supervisorAlive = () =>
    record.host && record.supervisorPid
      ? isLocalProcessAlive(record.host, record.supervisorPid) === true
      : false;
  while (!signal.aborted && Date.now() < deadline) {
    const size = await stat(join(runDir, RUN_FILES.log)).then(
      (stats) => stats.size,
      () => 0,
    );
    if (!supervisorAlive() && sentUpTo() >= size) return;
    await sleep(DRAIN_POLL_MS, signal);
  }
}

/** Resolves after `ms`, or at once when `signal` aborts. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return delay(ms, undefined, { signal }).catch(() => undefined);
}
