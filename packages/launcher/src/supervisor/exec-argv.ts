import { ExecUsageError } from './errors.js';
import type { SupervisorOptions } from './supervisor-options.js';

/**
 * The flags of `runboard exec`, shared by the CLI (which builds its commander options from
 * this table) and {@link parseExecArgv} / {@link buildExecArgv}, so the launcher, the CLI and
 * test entries agree on one command line. Keys are the camel-case names of the flags.
 */
export const EXEC_FLAGS = {
  runDir: { flag: '--run-dir', value: 'dir', description: 'the run folder (created if missing)' },
  runId: {
    flag: '--run-id',
    value: 'id',
    description: "the run id (default: the record's, else the folder name)",
  },
  attempt: { flag: '--attempt', value: 'n', description: 'the attempt claimed by the launcher' },
  gpus: {
    flag: '--gpus',
    value: 'ids',
    description: 'GPU ids, e.g. 0,1 (sets CUDA_VISIBLE_DEVICES)',
  },
  cwd: { flag: '--cwd', value: 'dir', description: "the job's working directory" },
  heartbeatSeconds: {
    flag: '--heartbeat-seconds',
    value: 's',
    description: 'seconds between heartbeats (default 10)',
  },
  timeoutSeconds: {
    flag: '--timeout-seconds',
    value: 's',
    description: 'stop the job after this long and record it failed',
  },
  killGraceSeconds: {
    flag: '--kill-grace-seconds',
    value: 's',
    description: 'seconds between SIGTERM and SIGKILL when stopping the job (default 10)',
  },
  logMaxBytes: {
    flag: '--log-max-bytes',
    value: 'n',
    description: 'bytes of output kept in run.log and run.log.1 together (default 10 MiB)',
  },
  epochDirsFiles: {
    flag: '--epoch-dirs-files',
    value: 'files',
    description: 'count progress from epoch_K/ folders holding all these files (comma-separated)',
  },
  epochDirsTotal: { flag: '--epoch-dirs-total', value: 'n', description: 'epochs in all' },
  epochDirsDir: {
    flag: '--epoch-dirs-dir',
    value: 'dir',
    description:
      "folder holding the epoch_K/ folders (default: the run folder; relative to the job's cwd)",
  },
  quiet: {
    flag: '--quiet',
    value: undefined,
    description: "do not copy the job's output to this process's stdout/stderr",
  },
} as const;

export type ExecFlagName = keyof typeof EXEC_FLAGS;

/** Flag values as text, the way a command-line parser hands them over. */
export type ExecFlagValues = { [K in Exclude<ExecFlagName, 'quiet'>]?: string } & {
  quiet?: boolean;
};

/** The part of {@link SupervisorOptions} an exec command line carries. */
export type ExecArgvOptions = Pick<
  SupervisorOptions,
  | 'runDir'
  | 'command'
  | 'runId'
  | 'attempt'
  | 'gpus'
  | 'cwd'
  | 'heartbeatSeconds'
  | 'timeoutSeconds'
  | 'killGraceSeconds'
  | 'logMaxBytes'
  | 'epochDirs'
  | 'passThrough'
>;

/**
 * Turns flag texts and the job's argv into supervisor options (`passThrough` unless `quiet`).
 *
 * @throws {ExecUsageError} for a missing `--run-dir` or command, or a value that is not a valid number.
 * @example
 * execOptionsFromFlags({ runDir: 'logs/a', gpus: '0,1' }, ['python', 'train.py']);
 * // { runDir: 'logs/a', gpus: [0, 1], command: ['python', 'train.py'], passThrough: true }
 */
export function execOptionsFromFlags(
  flags: ExecFlagValues,
  command: readonly string[],
): ExecArgvOptions {
  if (!flags.runDir) throw new ExecUsageError(`${EXEC_FLAGS.runDir.flag} is required`);
  if (command.length === 0 || command[0] === '') {
    throw new ExecUsageError(
      'no command to run: give it after --, e.g. runboard exec --run-dir DIR -- python train.py',
    );
  }
  const options: ExecArgvOptions = {
    runDir: flags.runDir,
    command: [...command],
    passThrough: !flags.quiet,
  };
  if (flags.runId !== undefined) options.runId = flags.runId;
  if (flags.cwd !== undefined) options.cwd = flags.cwd;
  if (flags.attempt !== undefined)
    options.attempt = parseNumber('attempt', flags.attempt, { integer: true, min: 1 });
  if (flags.gpus !== undefined) {
    options.gpus = flags.gpus
      .split(',')
      .map((gpu) => parseNumber('gpus', gpu.trim(), { integer: true, min: 0 }));
  }
  if (flags.heartbeatSeconds !== undefined) {
    options.heartbeatSeconds = parseNumber('heartbeatSeconds', flags.heartbeatSeconds, {
      positive: true,
    });
  }
  if (flags.timeoutSeconds !== undefined) {
    options.timeoutSeconds = parseNumber('timeoutSeconds', flags.timeoutSeconds, {
      positive: true,
    });
  }
  if (flags.killGraceSeconds !== undefined) {
    options.killGraceSeconds = parseNumber('killGraceSeconds', flags.killGraceSeconds, { min: 0 });
  }
  if (flags.logMaxBytes !== undefined) {
    options.logMaxBytes = parseNumber('logMaxBytes', flags.logMaxBytes, { integer: true, min: 2 });
  }
  if (
    flags.epochDirsFiles !== undefined ||
    flags.epochDirsTotal !== undefined ||
    flags.epochDirsDir !== undefined
  ) {
    const expectedFiles = (flags.epochDirsFiles ?? '')
      .split(',')
      .map((file) => file.trim())
      .filter((file) => file !== '');
    options.epochDirs = { expectedFiles };
    if (flags.epochDirsTotal !== undefined) {
      options.epochDirs.total = parseNumber('epochDirsTotal', flags.epochDirsTotal, {
        integer: true,
        min: 1,
      });
    }
    if (flags.epochDirsDir !== undefined) options.epochDirs.dir = flags.epochDirsDir;
  }
  return options;
}

/**
 * Parses an exec command line (without `runboard exec`): flags up to `--` or the first
 * argument that is not a flag; everything from there on is the job's argv, never read as flags.
 * Accepts `--flag value` and `--flag=value`.
 *
 * @throws {ExecUsageError} for an unknown flag, a missing value, or what {@link execOptionsFromFlags} rejects.
 * @example
 * parseExecArgv(['--run-dir', 'logs/a', '--', 'python', 'train.py', '--lr', '0.1']);
 * // { runDir: 'logs/a', command: ['python', 'train.py', '--lr', '0.1'], passThrough: true }
 */
export function parseExecArgv(argv: readonly string[]): ExecArgvOptions {
  const byFlag = new Map<string, ExecFlagName>(
    Object.entries(EXEC_FLAGS).map(([name, spec]) => [spec.flag, name as ExecFlagName]),
  );
  const values: Record<string, string | boolean> = {};
  let index = 0;
  while (index < argv.length) {
    const arg = argv[index];
    if (arg === '--') {
      index += 1;
      break;
    }
    if (!arg.startsWith('-')) break;
    const equals = arg.indexOf('=');
    const flag = equals === -1 ? arg : arg.slice(0, equals);
    const name = byFlag.get(flag);
    if (!name) throw new ExecUsageError(`unknown flag ${flag}; put the job's own flags after --`);
    const spec = EXEC_FLAGS[name];
    if (spec.value === undefined) {
      if (equals !== -1) throw new ExecUsageError(`${flag} takes no value`);
      values[name] = true;
      index += 1;
      continue;
    }
    if (equals !== -1) {
      values[name] = arg.slice(equals + 1);
      index += 1;
      continue;
    }
    const value = argv[index + 1];
    if (value === undefined) throw new ExecUsageError(`${flag} needs a value <${spec.value}>`);
    values[name] = value;
    index += 2;
  }
  return execOptionsFromFlags(values as ExecFlagValues, argv.slice(index));
}

/**
 * Builds the exec command line for `options`, ending with `--` and the job's argv: what a
 * launcher appends to its exec prefix (e.g. `[node, 'runboard.js', 'exec']`).
 *
 * @example
 * buildExecArgv({ runDir: '/logs/a', attempt: 2, gpus: [0], command: ['python', 'train.py'] });
 * // ['--run-dir', '/logs/a', '--attempt', '2', '--gpus', '0', '--', 'python', 'train.py']
 */
export function buildExecArgv(options: ExecArgvOptions): string[] {
  if (!options.runDir) throw new TypeError('Expected `runDir` to be a non-empty string');
  if (!Array.isArray(options.command) || options.command.length === 0) {
    throw new TypeError('Expected `command` to be a non-empty array of strings');
  }
  const argv: string[] = [EXEC_FLAGS.runDir.flag, options.runDir];
  const add = (name: ExecFlagName, value: string | number | undefined): void => {
    if (value !== undefined) argv.push(EXEC_FLAGS[name].flag, String(value));
  };
  add('runId', options.runId);
  add('attempt', options.attempt);
  add('gpus', options.gpus?.join(','));
  add('cwd', options.cwd);
  add('heartbeatSeconds', options.heartbeatSeconds);
  add('timeoutSeconds', options.timeoutSeconds);
  add('killGraceSeconds', options.killGraceSeconds);
  add('logMaxBytes', options.logMaxBytes);
  if (options.epochDirs) {
    argv.push(EXEC_FLAGS.epochDirsFiles.flag, options.epochDirs.expectedFiles.join(','));
    add('epochDirsTotal', options.epochDirs.total);
    add('epochDirsDir', options.epochDirs.dir);
  }
  if (options.passThrough === false) argv.push(EXEC_FLAGS.quiet.flag);
  argv.push('--', ...options.command);
  return argv;
}

function parseNumber(
  name: ExecFlagName,
  text: string,
  rules: { integer?: boolean; min?: number; positive?: boolean },
): number {
  const value = text.trim() === '' ? Number.NaN : Number(text);
  const flag = EXEC_FLAGS[name].flag;
  if (!Number.isFinite(value))
    throw new ExecUsageError(`${flag} expects a number, got ${JSON.stringify(text)}`);
  if (rules.integer && !Number.isInteger(value))
    throw new ExecUsageError(`${flag} expects an integer, got ${text}`);
  if (rules.min !== undefined && value < rules.min)
    throw new ExecUsageError(`${flag} must be at least ${rules.min}, got ${text}`);
  if (rules.positive && value <= 0)
    throw new ExecUsageError(`${flag} must be greater than 0, got ${text}`);
  return value;
}
