import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { constants as osConstants, hostname } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { RunRecord } from '../run-folder/run-record.js';
import { RUN_FILES } from '../run-folder/run-files.js';
import type { RunStatus } from '../run-folder/run-status.js';
import { parseMarkerLine } from '../progress/marker-line.js';
import { OutputLineSplitter } from '../progress/output-line-splitter.js';
import {
  PROGRESS_SOURCES,
  type ProgressReport,
  type ProgressSource,
} from '../progress/progress-report.js';
import { ProgressTracker, type ProgressSnapshot } from '../progress/progress-tracker.js';
import { parseTqdmLine } from '../progress/tqdm-line.js';
import { CappedLog } from './capped-log.js';
import { watchCancelRequest } from './cancel-watcher.js';
import { claimRecord } from './claim-record.js';
import { EpochDirsPoller } from './epoch-dirs-poller.js';
import { RunSupersededError } from './errors.js';
import type { MetricsLine } from '../progress/metrics-line.js';
import { MetricsLog } from './metrics-log.js';
import { isProcessGroupAlive, stopProcessGroup } from './process-group.js';
import { ThrottledRecordWriter, writeOwnedRecord } from './record-writer.js';
import { resolveSupervisorOptions, type SupervisorOptions } from './supervisor-options.js';

/** How a supervised run ended. */
export interface SupervisorResult {
  runId: string;
  attempt: number;
  /** The status recorded (or, when `superseded`, the one this supervisor would have recorded). */
  status: Extract<RunStatus, 'succeeded' | 'failed' | 'cancelled'>;
  /** The job's pid; `null` when it could not be started. */
  pid: number | null;
  /** The job's exit code, `null` when a signal ended it or it never started. */
  exitCode: number | null;
  /** The signal that ended the job. */
  signal: NodeJS.Signals | null;
  /** Why the run did not succeed, as recorded. */
  error: string | null;
  /**
   * The exit status for a supervisor process: the job's exit code, 128 + the signal number,
   * 127 (126) when the command was not found (not executable), 1 when the final record could
   * not be written or the run was taken over.
   */
  exitStatus: number;
  /** The record moved to another attempt or supervisor while this one ran: the job was stopped, the record left alone. */
  superseded: boolean;
  /** Why the final record could not be written, if it could not. */
  recordError?: unknown;
}

/** Why the supervisor stops a job that is still running. */
interface StopReason {
  status: 'failed' | 'cancelled';
  error: string;
  superseded?: boolean;
}

const MAX_PROGRESS_WARNINGS = 20;
const OUTPUT_DRAIN_MS = 2000;
const FINAL_WRITE_DELAYS_MS = [100, 500, 1000, 2000];

/**
 * Supervises one run (`runboard exec`): claims the record (`running`), starts the job in its
 * own process group, tees its output to a capped `run.log`, turns progress markers, tqdm bars
 * or epoch folders into progress, percent and ETA (throttled record writes, every report in
 * `metrics.jsonl`), heartbeats, and records how the job ended. A cancel request in
 * `control.json`, `options.signal`, or the timeout stops the job's whole process group
 * (SIGTERM, grace period, SIGKILL). Every record write is conditional on the record still
 * being this supervisor's attempt.
 *
 * @throws {RunSupersededError} when the record is at another attempt or already finished (the job is not started).
 * @throws {RunActiveError} standalone, when a live supervisor already runs the run.
 * @throws {InvalidRunRecordError} when `progress.json` is not a run record.
 * @example
 * const result = await superviseRun({
 *   runDir: 'logs/cdd/run_1',
 *   command: ['python', 'train.py', '--seed', '1'],
 *   gpus: [0],
 *   heartbeatSeconds: 10,
 * });
 * console.log(result.status, result.exitCode);
 */
export async function superviseRun(options: SupervisorOptions): Promise<SupervisorResult> {
  const resolved = resolveSupervisorOptions(options);
  const { runDir } = resolved;
  mkdirSync(runDir, { recursive: true });
  const identity = { host: hostname(), supervisorPid: process.pid, startedAt: new Date() };
  // The files first: a run folder we cannot write must not be left claimed `running`.
  const log = new CappedLog(join(runDir, RUN_FILES.log), resolved.logMaxBytes);
  const metricsLog = new MetricsLog(join(runDir, RUN_FILES.metrics));
  let claimed: RunRecord;
  try {
    claimed = await claimRecord(resolved, identity);
  } catch (error) {
    try {
      log.write(
        `[runboard] supervisor pid ${identity.supervisorPid} on ${identity.host} did not start: ${String(error)}\n`,
      );
    } finally {
      log.close();
      metricsLog.close();
    }
    throw error;
  }
  const owner = { attempt: claimed.attempt, supervisorPid: identity.supervisorPid };
  const tracker = new ProgressTracker({
    halfLifeSeconds: resolved.etaHalfLifeSeconds,
    countSources: resolved.epochDirs ? [PROGRESS_SOURCES.epochDirs] : undefined,
  });

  let logBroken = false;
  const writeLog = (chunk: Buffer | string): void => {
    if (logBroken) return;
    try {
      log.write(chunk);
    } catch (error) {
      logBroken = true;
      writeOwnStderr(`runboard exec: cannot write ${log.path} any more: ${String(error)}\n`);
    }
  };
  const brokenStreams = new Set<NodeJS.WriteStream>();
  const markBroken = (stream: NodeJS.WriteStream) => () => brokenStreams.add(stream);
  const stdoutBroken = markBroken(process.stdout);
  const stderrBroken = markBroken(process.stderr);
  if (resolved.passThrough) {
    process.stdout.on('error', stdoutBroken);
    process.stderr.on('error', stderrBroken);
  }
  const passThrough = (stream: NodeJS.WriteStream, chunk: Buffer | string): void => {
    if (!resolved.passThrough || brokenStreams.has(stream)) return;
    try {
      stream.write(chunk);
    } catch {
      brokenStreams.add(stream);
    }
  };
  function writeOwnStderr(text: string): void {
    passThrough(process.stderr, text);
  }
  const note = (text: string): void => {
    const line = `[runboard] ${text}\n`;
    writeLog(line);
    writeOwnStderr(line);
  };

  const env: NodeJS.ProcessEnv = {
    ...(resolved.env ?? process.env),
    RUNBOARD_RUN_ID: claimed.id,
    RUNBOARD_RUN_DIR: runDir,
    RUNBOARD_ATTEMPT: String(claimed.attempt),
  };
  if (resolved.gpus) env.CUDA_VISIBLE_DEVICES = resolved.gpus.join(',');

  note(
    `attempt ${claimed.attempt} of ${claimed.id} starting on ${identity.host} at ${identity.startedAt.toISOString()} ` +
      `(supervisor pid ${identity.supervisorPid}): ${JSON.stringify(resolved.command)}`,
  );
  const child = spawn(resolved.command[0], resolved.command.slice(1), {
    cwd: resolved.cwd,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const started = await new Promise<{ error?: NodeJS.ErrnoException }>((resolve) => {
    child.once('spawn', () => resolve({}));
    child.once('error', (error) => resolve({ error }));
  });
  // Later errors (a failed kill) must not crash the supervisor.
  child.on('error', () => {});

  const finish = async (ending: {
    status: SupervisorResult['status'];
    pid: number | null;
    exitCode: number | null;
    signal: NodeJS.Signals | null;
    error: string | null;
    exitStatus: number;
    superseded: boolean;
  }): Promise<SupervisorResult> => {
    const result: SupervisorResult = { runId: claimed.id, attempt: claimed.attempt, ...ending };
    if (!ending.superseded) {
      const now = Date.now();
      const patch: Partial<RunRecord> = {
        status: ending.status,
        pid: ending.pid,
        heartbeatAt: new Date(now).toISOString(),
        finishedAt: new Date(now).toISOString(),
        exitCode: ending.exitCode,
        signal: ending.signal,
        error: ending.error,
        ...progressFields(tracker.snapshot(now)),
      };
      const recordError = await writeFinalRecord(runDir, owner, patch, {
        ...claimed,
        pid: ending.pid,
      });
      if (recordError instanceof RunSupersededError) {
        result.superseded = true;
        result.exitStatus = 1;
        note(`final state not recorded: ${recordError.message}`);
      } else if (recordError !== undefined) {
        result.recordError = recordError;
        result.exitStatus = 1;
        note(`final state not recorded: ${String(recordError)}`);
      }
    }
    note(
      `attempt ${claimed.attempt} ${result.superseded ? 'superseded' : result.status}` +
        (ending.error ? `: ${ending.error}` : '') +
        ` after ${((Date.now() - identity.startedAt.getTime()) / 1000).toFixed(1)} s`,
    );
    log.close();
    metricsLog.close();
    process.stdout.off('error', stdoutBroken);
    process.stderr.off('error', stderrBroken);
    return result;
  };

  if (started.error || child.pid === undefined) {
    const code = started.error?.code;
    const error = `could not start ${resolved.command[0]}: ${started.error?.message ?? 'no pid'}`;
    note(error);
    return finish({
      status: 'failed',
      pid: null,
      exitCode: null,
      signal: null,
      error,
      exitStatus: code === 'ENOENT' ? 127 : code === 'EACCES' ? 126 : 1,
      superseded: false,
    });
  }
  const pid = child.pid;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });

  // ---- record writes ----
  let superseded = false;
  let lastWriteErrorCode: unknown;
  let stopReason: StopReason | undefined;
  let stopping: Promise<unknown> | undefined;
  const stopJob = (reason: StopReason): void => {
    if (stopReason) return;
    stopReason = reason;
    note(`stopping the job's process group ${pid}: ${reason.error}`);
    stopping = stopProcessGroup(pid, {
      graceMs: resolved.killGraceSeconds * 1000,
      pollMs: 100,
    }).then((outcome) => {
      if (outcome.killed)
        note(`sent SIGKILL to process group ${pid} after ${resolved.killGraceSeconds} s`);
    });
  };
  const writer = new ThrottledRecordWriter({
    intervalMs: resolved.recordIntervalMs,
    write: async () => {
      if (superseded) return;
      const now = Date.now();
      await writeOwnedRecord(
        runDir,
        owner,
        {
          status: 'running',
          pid,
          heartbeatAt: new Date(now).toISOString(),
          ...progressFields(tracker.snapshot(now)),
        },
        { ...claimed, pid },
        // Progress and heartbeats need not survive a power loss (the rename keeps them atomic);
        // skipping the two fsyncs halves the cost of a write. The start and the end are durable.
        { durable: false },
      );
      lastWriteErrorCode = undefined;
    },
    onError: (error) => {
      if (error instanceof RunSupersededError) {
        superseded = true;
        stopJob({ status: 'cancelled', error: `superseded: ${error.message}`, superseded: true });
        return;
      }
      const code = (error as { code?: unknown }).code ?? String(error);
      if (code !== lastWriteErrorCode)
        note(`could not update ${RUN_FILES.progress}: ${String(error)}`);
      lastWriteErrorCode = code;
    },
  });
  writer.changed();

  // ---- progress ----
  let pendingTqdmLine: MetricsLine | undefined;
  let lastTqdmLineAt = Number.NEGATIVE_INFINITY;
  let tqdmTimer: NodeJS.Timeout | undefined;
  const appendMetrics = (line: MetricsLine): void => {
    try {
      metricsLog.append(line);
    } catch (error) {
      note(`could not append to ${RUN_FILES.metrics}: ${String(error)}`);
    }
  };
  const flushTqdmLine = (): void => {
    if (tqdmTimer) clearTimeout(tqdmTimer);
    tqdmTimer = undefined;
    if (!pendingTqdmLine) return;
    appendMetrics(pendingTqdmLine);
    pendingTqdmLine = undefined;
    lastTqdmLineAt = Date.now();
  };
  const report = (progressReport: ProgressReport, source: ProgressSource): void => {
    const now = Date.now();
    const used = tracker.apply(progressReport, source, now);
    if (!used) return;
    writer.changed();
    const line: MetricsLine = {
      time: new Date(now).toISOString(),
      attempt: claimed.attempt,
      source,
      ...used,
    };
    if (used.current !== undefined || used.total !== undefined) {
      const progress = tracker.snapshot(now).progress;
      line.percent = progress?.percent ?? null;
      line.etaSeconds = progress?.etaSeconds ?? null;
    }
    if (source !== PROGRESS_SOURCES.tqdm) {
      appendMetrics(line);
      return;
    }
    // tqdm redraws up to ~10 times a second: keep at most one line a metricsInterval, and the last.
    pendingTqdmLine = line;
    const wait = lastTqdmLineAt + resolved.metricsIntervalMs - now;
    if (wait <= 0) flushTqdmLine();
    else tqdmTimer ??= setTimeout(flushTqdmLine, wait);
  };
  let progressWarnings = 0;
  const parseTqdm = resolved.epochDirs === undefined;
  const onSegment = (segment: string): void => {
    const marker = parseMarkerLine(segment);
    if (marker) {
      if (marker.ok) report(marker.report, PROGRESS_SOURCES.marker);
      else if (progressWarnings < MAX_PROGRESS_WARNINGS) {
        progressWarnings += 1;
        note(
          `ignored a progress line (${marker.problem})` +
            (progressWarnings === MAX_PROGRESS_WARNINGS
              ? '; further ones are ignored silently'
              : ''),
        );
      }
      return;
    }
    if (!parseTqdm) return;
    const bar = parseTqdmLine(segment);
    if (bar) report(bar, PROGRESS_SOURCES.tqdm);
  };
  const stdoutLines = new OutputLineSplitter(onSegment);
  const stderrLines = new OutputLineSplitter(onSegment);
  const streamsClosed = Promise.all(
    [
      { stream: child.stdout, target: process.stdout, lines: stdoutLines },
      { stream: child.stderr, target: process.stderr, lines: stderrLines },
    ].map(
      ({ stream, target, lines }) =>
        new Promise<void>((resolve) => {
          if (!stream) return resolve();
          stream.on('data', (chunk: Buffer) => {
            writeLog(chunk);
            passThrough(target, chunk);
            lines.push(chunk);
          });
          stream.once('close', () => resolve());
          stream.once('error', () => resolve());
        }),
    ),
  );

  let epochPoller: EpochDirsPoller | undefined;
  if (resolved.epochDirs) {
    const { dir, expectedFiles, total, pollSeconds } = resolved.epochDirs;
    epochPoller = new EpochDirsPoller(
      dir,
      expectedFiles,
      pollSeconds,
      (count) =>
        report({ current: count, total: total ?? null, unit: 'epoch' }, PROGRESS_SOURCES.epochDirs),
      (error) => note(`could not count epoch folders in ${dir}: ${String(error)}`),
    );
    epochPoller.start();
  }

  // ---- heartbeat, cancel, timeout ----
  const heartbeat = setInterval(() => writer.changed(), resolved.heartbeatSeconds * 1000);
  const stopWatchingCancel = watchCancelRequest(runDir, {
    pollSeconds: resolved.controlPollSeconds,
    onCancel: (request) =>
      stopJob({
        status: 'cancelled',
        error:
          `cancelled: requested in ${RUN_FILES.control} at ${request.requestedAt}` +
          (request.requestedBy ? ` by ${request.requestedBy}` : ''),
      }),
    onError: (error) => note(`could not read ${RUN_FILES.control}: ${String(error)}`),
  });
  const timeout =
    resolved.timeoutSeconds === undefined
      ? undefined
      : setTimeout(
          () => stopJob({ status: 'failed', error: `timeout after ${resolved.timeoutSeconds}s` }),
          resolved.timeoutSeconds * 1000,
        );
  const onAbort = (): void => {
    const reason = resolved.signal?.reason;
    stopJob({
      status: 'cancelled',
      error: `cancelled: ${typeof reason === 'string' ? reason : 'aborted'}`,
    });
  };
  if (resolved.signal?.aborted) onAbort();
  else resolved.signal?.addEventListener('abort', onAbort, { once: true });

  // ---- the job ends ----
  const { code, signal } = await exited;
  clearInterval(heartbeat);
  if (timeout) clearTimeout(timeout);
  stopWatchingCancel();
  resolved.signal?.removeEventListener('abort', onAbort);
  await stopping;
  if (isProcessGroupAlive(pid)) {
    note(`the job exited but left processes in its group ${pid}; stopping them`);
    await stopProcessGroup(pid, { graceMs: resolved.killGraceSeconds * 1000, pollMs: 100 });
  }
  await drain(streamsClosed, child);
  stdoutLines.end();
  stderrLines.end();
  await epochPoller?.stop();
  flushTqdmLine();
  await writer.flush();

  const exitStatus = code ?? 128 + (signal ? (osConstants.signals[signal] ?? 0) : 0);
  const ended = stopReason
    ? { status: stopReason.status, error: stopReason.error }
    : code === 0
      ? { status: 'succeeded' as const, error: null }
      : {
          status: 'failed' as const,
          error: code !== null ? `exited with code ${code}` : `killed by signal ${signal}`,
        };
  return finish({
    ...ended,
    pid,
    exitCode: code,
    signal,
    exitStatus: superseded ? 1 : exitStatus,
    superseded,
  });
}

/** The record fields that come from the progress tracker. */
function progressFields(snapshot: ProgressSnapshot): Partial<RunRecord> {
  return {
    progress: snapshot.progress,
    metrics: snapshot.metrics,
    ...(snapshot.progressChangedAt !== undefined
      ? { progressChangedAt: new Date(snapshot.progressChangedAt).toISOString() }
      : {}),
  };
}

/** Waits for the job's output to end; a process outside the group may hold the pipes open. */
async function drain(streamsClosed: Promise<unknown>, child: ChildProcess): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), OUTPUT_DRAIN_MS);
  });
  const outcome = await Promise.race([streamsClosed, timedOut]);
  clearTimeout(timer);
  if (outcome === 'timeout') {
    child.stdout?.destroy();
    child.stderr?.destroy();
  }
}

async function writeFinalRecord(
  runDir: string,
  owner: { attempt: number; supervisorPid: number },
  patch: Partial<RunRecord>,
  fallback: RunRecord,
): Promise<unknown> {
  let lastError: unknown;
  for (let attempt = 0; attempt <= FINAL_WRITE_DELAYS_MS.length; attempt += 1) {
    try {
      await writeOwnedRecord(runDir, owner, patch, fallback);
      return undefined;
    } catch (error) {
      if (error instanceof RunSupersededError) return error;
      lastError = error;
      const delay = FINAL_WRITE_DELAYS_MS[attempt];
      if (delay !== undefined) await sleep(delay);
    }
  }
  return lastError;
}
