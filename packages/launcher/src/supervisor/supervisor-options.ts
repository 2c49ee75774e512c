import { isAbsolute, resolve } from 'node:path';
import {
  checkNumberOption,
  checkObjectOption,
  checkStringOption,
  type NumberOptionBounds,
} from '@runboard/locking';
import { assertExpectedFiles } from '../progress/epoch-dirs.js';
import type { SlurmJobContext } from './slurm-job.js';

/** Defaults of {@link SupervisorOptions}. */
export const SUPERVISOR_DEFAULTS = {
  heartbeatSeconds: 10,
  killGraceSeconds: 10,
  logMaxBytes: 10 * 1024 * 1024,
  metricsMaxBytes: 8 * 1024 * 1024,
  recordIntervalMs: 1000,
  controlPollSeconds: 2,
  epochDirsPollSeconds: 2,
  metricsIntervalMs: 1000,
  etaHalfLifeSeconds: 60,
} as const;

/** Periods in seconds must be at least this (1 ms): "positive" with a bound the checks can name. */
const MIN_SECONDS = 0.001;

/**
 * The bounds of every numeric option: the one table that `superviseRun`'s checks and the
 * `runboard exec` flags ({@link execOptionsFromFlags}) both use.
 */
export const SUPERVISOR_NUMBER_RULES = {
  attempt: { integer: true, min: 1 },
  heartbeatSeconds: { min: MIN_SECONDS },
  timeoutSeconds: { min: MIN_SECONDS },
  killGraceSeconds: { min: 0 },
  logMaxBytes: { integer: true, min: 2 },
  metricsMaxBytes: { integer: true, min: 1024 },
  recordIntervalMs: { min: 0 },
  controlPollSeconds: { min: MIN_SECONDS },
  metricsIntervalMs: { min: 0 },
  etaHalfLifeSeconds: { min: MIN_SECONDS },
  gpu: { integer: true, min: 0 },
  'epochDirs.total': { integer: true, min: 1 },
  'epochDirs.pollSeconds': { min: MIN_SECONDS },
} as const satisfies Record<string, NumberOptionBounds>;

export type SupervisorNumberOption = keyof typeof SUPERVISOR_NUMBER_RULES;

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
  /** Bytes `metrics.jsonl` may reach before its older half is thinned. Default 8 MiB. */
  metricsMaxBytes?: number;
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
  /**
   * Aborting it cancels the run like a cancel request (records `cancelled`), unless Slurm
   * requeued the job of `slurmJob` meanwhile: then the attempt goes back to `starting`.
   */
  signal?: AbortSignal;
  /**
   * The Slurm job this supervisor runs in (`runboard exec` takes it from `SLURM_JOB_ID` and
   * `SLURM_RESTART_COUNT`). A requeued job's next run takes the same attempt over.
   */
  slurmJob?: SlurmJobContext;
}

type DefaultedOption =
  | 'heartbeatSeconds'
  | 'killGraceSeconds'
  | 'logMaxBytes'
  | 'metricsMaxBytes'
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

/**
 * Checks `value` against the rule of numeric option `name` ({@link SUPERVISOR_NUMBER_RULES});
 * `label` is how the message names it (a flag, say). Throws a `TypeError`.
 */
export function checkSupervisorNumber(
  name: SupervisorNumberOption,
  value: unknown,
  label: string = name,
): number {
  return checkNumberOption(label, value, SUPERVISOR_NUMBER_RULES[name]);
}

/**
 * Checks `options` (TypeError on the first problem) and applies the defaults.
 *
 * @example
 * resolveSupervisorOptions({ runDir: 'logs/a', command: ['true'] }).heartbeatSeconds; // 10
 */
export function resolveSupervisorOptions(options: SupervisorOptions): ResolvedSupervisorOptions {
  checkObjectOption('options', options);
  checkStringOption('runDir', options.runDir);
  checkCommand(options.command);
  if (options.attempt !== undefined) checkSupervisorNumber('attempt', options.attempt);
  if (options.gpus !== undefined) {
    if (!Array.isArray(options.gpus)) throw new TypeError('Expected `gpus` to be an array');
    options.gpus.forEach((gpu, index) => checkSupervisorNumber('gpu', gpu, `gpus[${index}]`));
  }
  if (options.runId !== undefined) checkStringOption('runId', options.runId);
  if (options.timeoutSeconds !== undefined)
    checkSupervisorNumber('timeoutSeconds', options.timeoutSeconds);
  const runDir = resolve(options.runDir);
  const cwd = resolve(options.cwd ?? process.cwd());
  const defaulted = (name: Exclude<DefaultedOption, 'cwd'>): number =>
    checkSupervisorNumber(name, options[name] ?? SUPERVISOR_DEFAULTS[name]);
  return {
    ...options,
    runDir,
    cwd,
    heartbeatSeconds: defaulted('heartbeatSeconds'),
    killGraceSeconds: defaulted('killGraceSeconds'),
    logMaxBytes: defaulted('logMaxBytes'),
    metricsMaxBytes: defaulted('metricsMaxBytes'),
    recordIntervalMs: defaulted('recordIntervalMs'),
    controlPollSeconds: defaulted('controlPollSeconds'),
    metricsIntervalMs: defaulted('metricsIntervalMs'),
    etaHalfLifeSeconds: defaulted('etaHalfLifeSeconds'),
    epochDirs: options.epochDirs && resolveEpochDirs(options.epochDirs, runDir, cwd),
  };
}

function checkCommand(command: unknown): void {
  if (
    !Array.isArray(command) ||
    command.length === 0 ||
    command.some((part) => typeof part !== 'string') ||
    command[0] === ''
  ) {
    throw new TypeError('Expected `command` to be a non-empty array of strings');
  }
}

function resolveEpochDirs(
  epochDirs: SupervisorEpochDirs,
  runDir: string,
  cwd: string,
): ResolvedSupervisorOptions['epochDirs'] {
  const { expectedFiles, total, dir, pollSeconds } = epochDirs;
  assertExpectedFiles(expectedFiles);
  if (total !== undefined) checkSupervisorNumber('epochDirs.total', total);
  return {
    expectedFiles: [...expectedFiles],
    total,
    dir: dir === undefined ? runDir : isAbsolute(dir) ? dir : resolve(cwd, dir),
    pollSeconds: checkSupervisorNumber(
      'epochDirs.pollSeconds',
      pollSeconds ?? SUPERVISOR_DEFAULTS.epochDirsPollSeconds,
    ),
  };
}
