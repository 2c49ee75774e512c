import { mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { RunRecord } from '../run-folder/run-record.js';
import { RUN_FILES } from '../run-folder/run-files.js';
import { PROGRESS_SOURCES } from '../progress/progress-report.js';
import { CappedLog } from './capped-log.js';
import { claimRecord, type SupervisorIdentity } from './claim-record.js';
import { EpochDirsPoller } from './epoch-dirs-poller.js';
import {
  jobEnding,
  recordEnding,
  recordRequeue,
  startFailure,
  type FinalRecordTarget,
  type JobEnding,
  type SupervisorResult,
} from './final-record.js';
import { JobStopper } from './job-stopper.js';
import { MetricsLog } from './metrics-log.js';
import { teeJobOutput } from './output-tee.js';
import { OutcomeFile } from './outcome-file.js';
import { OutputTail } from './output-tail.js';
import { ProgressRecorder } from './progress-recorder.js';
import { slurmRestartCount } from './slurm-job.js';
import { startJob, type StartedJob } from './start-job.js';
import { SupervisorOutput } from './supervisor-output.js';
import {
  resolveSupervisorOptions,
  type ResolvedSupervisorOptions,
  type SupervisorOptions,
} from './supervisor-options.js';

export type { SupervisorResult } from './final-record.js';

/** The files a supervisor writes besides the record. */
interface RunFiles {
  output: SupervisorOutput;
  metricsLog: MetricsLog;
  outcome: OutcomeFile;
}

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
  mkdirSync(resolved.runDir, { recursive: true });
  const identity = { host: hostname(), supervisorPid: process.pid, startedAt: new Date() };
  // The files first: a run folder we cannot write must not be left claimed `running`.
  const files = openRunFiles(resolved);
  const claimed = await claim(resolved, identity, files);
  const target: FinalRecordTarget = {
    runDir: resolved.runDir,
    owner: { attempt: claimed.attempt, supervisorPid: identity.supervisorPid },
    claimed,
    outcome: files.outcome,
    note: (text) => files.output.note(text),
    signal: resolved.signal,
  };
  files.outcome.start({
    attempt: claimed.attempt,
    supervisorPid: identity.supervisorPid,
    host: identity.host,
  });

  target.note(
    `attempt ${claimed.attempt} of ${claimed.id} starting on ${identity.host} at ${identity.startedAt.toISOString()} ` +
      `(supervisor pid ${identity.supervisorPid}): ${JSON.stringify(resolved.command)}`,
  );
  const started = await startJob(resolved, claimed);
  let ending: JobEnding;
  let fields: () => Partial<RunRecord>;
  if ('failure' in started) {
    ending = startFailure(started.failure);
    target.note(ending.error as string);
    fields = () => ({ progress: null, metrics: null, errorTail: null });
  } else {
    const supervised = await superviseJob(resolved, target, files, started);
    ending = supervised.ending;
    const errorTail = ending.status === 'failed' ? supervised.tail.lines() : null;
    fields = () => ({ ...supervised.fields(Date.now()), errorTail });
  }
  const restarts = await slurmRequeued(resolved, ending, target.note);
  const result =
    restarts === undefined
      ? await recordEnding(target, ending, fields())
      : await recordRequeue(target, ending, restarts, fields());
  const how = result.superseded
    ? 'superseded'
    : result.requeued
      ? 'requeued by Slurm'
      : result.status;
  target.note(
    `attempt ${claimed.attempt} ${how}` +
      (ending.error && !result.requeued ? `: ${ending.error}` : '') +
      ` after ${((Date.now() - identity.startedAt.getTime()) / 1000).toFixed(1)} s`,
  );
  closeRunFiles(files);
  return result;
}

/**
 * Slurm's restart count of this supervisor's job when the attempt ended because Slurm requeued
 * the job (the count is above the job's own `SLURM_RESTART_COUNT`); else `undefined`. Asked
 * after a stop signal, and after any end but success: Slurm signals the job and the supervisor
 * at once, and on a loaded machine the job's end can be handled before the supervisor's own
 * signal.
 */
async function slurmRequeued(
  resolved: ResolvedSupervisorOptions,
  ending: JobEnding,
  note: (text: string) => void,
): Promise<number | undefined> {
  const job = resolved.slurmJob;
  if (!job || (!resolved.signal?.aborted && ending.status === 'succeeded')) return undefined;
  // A controller too busy to answer in time (a loaded node) gets one more try: at most 20 s,
  // within Slurm's default KillWait (30 s) before its SIGKILL.
  const restarts = (await slurmRestartCount(job.jobId)) ?? (await slurmRestartCount(job.jobId));
  if (restarts !== undefined && restarts > job.restartCount) return restarts;
  // Said for a stop, not for every failed run.
  if (resolved.signal?.aborted || restarts === undefined)
    note(
      `Slurm job ${job.jobId}: ${restarts === undefined ? 'scontrol did not answer' : `restart count ${restarts}`} ` +
        `(this run of it started at ${job.restartCount}): not a requeue`,
    );
  return undefined;
}

function openRunFiles(resolved: ResolvedSupervisorOptions): RunFiles {
  const log = new CappedLog(join(resolved.runDir, RUN_FILES.log), resolved.logMaxBytes, (error) =>
    output.logFailed(error),
  );
  const output = new SupervisorOutput(log, resolved.passThrough === true);
  const metricsLog = new MetricsLog(
    join(resolved.runDir, RUN_FILES.metrics),
    resolved.metricsMaxBytes,
  );
  return { output, metricsLog, outcome: OutcomeFile.prepare(resolved.runDir) };
}

function closeRunFiles(files: RunFiles): void {
  files.output.close();
  files.metricsLog.close();
  files.outcome.close();
}

/** Claims the record; when that fails, says so in `run.log` and closes the files. */
async function claim(
  resolved: ResolvedSupervisorOptions,
  identity: SupervisorIdentity,
  files: RunFiles,
): Promise<RunRecord> {
  try {
    return await claimRecord(resolved, identity);
  } catch (error) {
    try {
      files.output.log.write(
        `[runboard] supervisor pid ${identity.supervisorPid} on ${identity.host} did not start: ${String(error)}\n`,
      );
    } finally {
      closeRunFiles(files);
    }
    throw error;
  }
}

/** A supervised job's end: how it ended, its progress fields, the last lines of its output. */
interface SupervisedJob {
  ending: JobEnding;
  fields: (now: number) => Partial<RunRecord>;
  tail: OutputTail;
}

/**
 * Watches a started job until it has exited and everything it wrote is recorded: output (its
 * last lines kept for a failure's `errorTail`), progress (with epoch folders), heartbeats, and
 * the reasons to stop it.
 */
async function superviseJob(
  resolved: ResolvedSupervisorOptions,
  target: FinalRecordTarget,
  files: RunFiles,
  job: StartedJob,
): Promise<SupervisedJob> {
  const { note } = target;
  const stopper = new JobStopper(job.pid, { graceMs: resolved.killGraceSeconds * 1000, note });
  const recorder = new ProgressRecorder({
    ...resolved,
    ...target,
    pid: job.pid,
    metricsLog: files.metricsLog,
    countsFromEpochDirs: resolved.epochDirs !== undefined,
    onSuperseded: (error) =>
      stopper.stop({
        status: 'cancelled',
        error: `superseded: ${error.message}`,
        superseded: true,
      }),
  });
  recorder.start();
  const tail = new OutputTail();
  const tee = teeJobOutput(job.child, {
    output: files.output,
    parseTqdm: resolved.epochDirs === undefined,
    report: (report, source) => recorder.report(report, source),
    tail,
  });
  const epochPoller = resolved.epochDirs && pollEpochDirs(resolved.epochDirs, recorder, note);
  stopper.watch(resolved);

  const exit = await job.exited;
  await stopper.settle();
  await tee.finish();
  await epochPoller?.stop();
  await recorder.stop();
  return {
    ending: jobEnding(job.pid, exit, stopper.reason, recorder.superseded),
    fields: (now) => recorder.recordFields(now),
    tail,
  };
}

/** Counts complete epoch folders into the recorder's progress. */
function pollEpochDirs(
  epochDirs: NonNullable<ResolvedSupervisorOptions['epochDirs']>,
  recorder: ProgressRecorder,
  note: (text: string) => void,
): EpochDirsPoller {
  const { dir, expectedFiles, total, pollSeconds } = epochDirs;
  const poller = new EpochDirsPoller(
    dir,
    expectedFiles,
    pollSeconds,
    (count) =>
      recorder.report(
        { current: count, total: total ?? null, unit: 'epoch' },
        PROGRESS_SOURCES.epochDirs,
      ),
    (error) => note(`could not count epoch folders in ${dir}: ${String(error)}`),
  );
  poller.start();
  return poller;
}
