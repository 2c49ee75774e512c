import { isAbsolute, resolve } from 'node:path';
import { assertExpectedFiles } from '../progress/epoch-dirs.js';

/** Defaults of {@link SupervisorOptions}. */
export const SUPERVISOR_DEFAULTS = {
  heartbeatSeconds: 10,
  killGraceSeconds: 10,
  logMaxBytes: 10 * 1024 * 1024,
  recordIntervalMs: 1000,
  controlPollSeconds: 2,
  epochDirsPollSeconds: 2,
  metricsIntervalMs: 1000,
  etaHalfLifeSeconds: 60,
} as const;

/** Progress from `epoch_K/` folders. */
export interface SupervisorEpochDirs {
  /** Files that must all exist in `epoch_K/` for epoch K to count. */
  expectedFiles: readonly string[];
  /** Epochs in all. */
  total?: number;
  /**
   * The folder holding the `epoch_K/` folders. Default: the run folder. A relative path is
   * resolved against the job's working directory.
   */
  dir?: string;
  /** How often to look, in seconds. Default 2. */
  pollSeconds?: number;
}

/** What {@link superviseRun} runs and how. */
export interface SupervisorOptions {
  /** The run folder: `progress.json`, `run.log`, `metrics.jsonl`, `control.json` live here. Created if missing. */
  runDir: string;
  /** The job's argv: program and arguments, no shell. */
  command: readonly string[];
  /** The run id for a new record. Default: the record's id, else the run folder's name. */
  runId?: string;
  /**
   * The attempt this supervisor runs (the launcher's claim). Without it (standalone use) the
   * supervisor takes attempt 1 for a new record, the claimed attempt of a `queued`/`starting`
   * record, or the next attempt after a finished one.
   */
  attempt?: number;
  /** GPU ids: recorded, and set as `CUDA_VISIBLE_DEVICES` for the job. */
  gpus?: readonly number[];
  /** The job's working directory. Default: the supervisor's. */
  cwd?: string;
  /** The job's environment, before `RUNBOARD_*` is added. Default: `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Seconds between heartbeats. Default 10. */
  heartbeatSeconds?: number;
  /** Stop the job after this many seconds and record it failed. Default: no limit. */
  timeoutSeconds?: number;
  /** Seconds between SIGTERM and SIGKILL to the job's process group. Default 10. */
  killGraceSeconds?: number;
  /** Bytes of output kept on disk in `run.log` and `run.log.1` together. Default 10 MiB. */
  logMaxBytes?: number;
  /** Count progress from epoch folders instead of the output. */
  epochDirs?: SupervisorEpochDirs;
  /** Also write the job's output to this process's stdout and stderr. Default false. */
  passThrough?: boolean;
  /** Least time between two writes of `progress.json`, in ms. Default 1000 (≤ 1 write/s). */
  recordIntervalMs?: number;
  /** Seconds between checks of `control.json` besides the file watcher. Default 2. */
  controlPollSeconds?: number;
  /** Least time between two `metrics.jsonl` lines from tqdm bars, in ms. Default 1000. */
  metricsIntervalMs?: number;
  /** Half-life of the rate average behind the ETA, in seconds. Default 60. */
  etaHalfLifeSeconds?: number;
  /** Aborting it cancels the run like a cancel request (records `cancelled`). */
  signal?: AbortSignal;
}

type DefaultedOption =
  | 'heartbeatSeconds'
  | 'killGraceSeconds'
  | 'logMaxBytes'
  | 'recordIntervalMs'
  | 'controlPollSeconds'
  | 'metricsIntervalMs'
  | 'etaHalfLifeSeconds'
  | 'cwd';

/** Options with defaults applied and paths resolved. */
export type ResolvedSupervisorOptions = Omit<SupervisorOptions, 'epochDirs' | DefaultedOption> &
  Required<Pick<SupervisorOptions, DefaultedOption>> & {
    epochDirs?: Required<Pick<SupervisorEpochDirs, 'expectedFiles' | 'dir' | 'pollSeconds'>> &
      Pick<SupervisorEpochDirs, 'total'>;
  };

/** Checks `options` (TypeError on the first problem) and applies the defaults. */
export function resolveSupervisorOptions(options: SupervisorOptions): ResolvedSupervisorOptions {
  if (options === null || typeof options !== 'object')
    throw new TypeError('Expected `options` to be an object');
  if (typeof options.runDir !== 'string' || options.runDir === '') {
    throw new TypeError('Expected `runDir` to be a non-empty string');
  }
  if (
    !Array.isArray(options.command) ||
    options.command.length === 0 ||
    options.command.some((part) => typeof part !== 'string') ||
    options.command[0] === ''
  ) {
    throw new TypeError('Expected `command` to be a non-empty array of strings');
  }
  if (options.attempt !== undefined) positiveInteger('attempt', options.attempt);
  if (options.gpus !== undefined) {
    if (
      !Array.isArray(options.gpus) ||
      options.gpus.some((gpu) => !Number.isInteger(gpu) || gpu < 0)
    ) {
      throw new TypeError('Expected `gpus` to be an array of non-negative integers');
    }
  }
  if (options.runId !== undefined && (typeof options.runId !== 'string' || options.runId === '')) {
    throw new TypeError('Expected `runId` to be a non-empty string');
  }
  const runDir = resolve(options.runDir);
  const cwd = resolve(options.cwd ?? process.cwd());
  const resolved: ResolvedSupervisorOptions = {
    ...options,
    runDir,
    cwd,
    heartbeatSeconds: positiveNumber(
      'heartbeatSeconds',
      options.heartbeatSeconds ?? SUPERVISOR_DEFAULTS.heartbeatSeconds,
    ),
    killGraceSeconds: nonNegativeNumber(
      'killGraceSeconds',
      options.killGraceSeconds ?? SUPERVISOR_DEFAULTS.killGraceSeconds,
    ),
    logMaxBytes: positiveInteger(
      'logMaxBytes',
      options.logMaxBytes ?? SUPERVISOR_DEFAULTS.logMaxBytes,
    ),
    recordIntervalMs: nonNegativeNumber(
      'recordIntervalMs',
      options.recordIntervalMs ?? SUPERVISOR_DEFAULTS.recordIntervalMs,
    ),
    controlPollSeconds: positiveNumber(
      'controlPollSeconds',
      options.controlPollSeconds ?? SUPERVISOR_DEFAULTS.controlPollSeconds,
    ),
    metricsIntervalMs: nonNegativeNumber(
      'metricsIntervalMs',
      options.metricsIntervalMs ?? SUPERVISOR_DEFAULTS.metricsIntervalMs,
    ),
    etaHalfLifeSeconds: positiveNumber(
      'etaHalfLifeSeconds',
      options.etaHalfLifeSeconds ?? SUPERVISOR_DEFAULTS.etaHalfLifeSeconds,
    ),
    epochDirs: undefined,
  };
  if (options.timeoutSeconds !== undefined)
    positiveNumber('timeoutSeconds', options.timeoutSeconds);
  if (options.logMaxBytes !== undefined && options.logMaxBytes < 2) {
    throw new TypeError('Expected `logMaxBytes` to be at least 2');
  }
  if (options.epochDirs !== undefined) {
    const { expectedFiles, total, dir, pollSeconds } = options.epochDirs;
    assertExpectedFiles(expectedFiles);
    if (total !== undefined) positiveInteger('epochDirs.total', total);
    resolved.epochDirs = {
      expectedFiles: [...expectedFiles],
      total,
      dir: dir === undefined ? runDir : isAbsolute(dir) ? dir : resolve(cwd, dir),
      pollSeconds: positiveNumber(
        'epochDirs.pollSeconds',
        pollSeconds ?? SUPERVISOR_DEFAULTS.epochDirsPollSeconds,
      ),
    };
  }
  return resolved;
}

function positiveNumber(name: string, value: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new TypeError(`Expected \`${name}\` to be a positive number`);
  }
  return value;
}

function nonNegativeNumber(name: string, value: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new TypeError(`Expected \`${name}\` to be a non-negative number`);
  }
  return value;
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1)
    throw new TypeError(`Expected \`${name}\` to be a positive integer`);
  return value;
}
