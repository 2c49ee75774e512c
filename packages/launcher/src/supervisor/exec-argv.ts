import { checkStringOption } from '@runboard/locking';
import { ExecUsageError } from './errors.js';
import {
  checkSupervisorNumber,
  type SupervisorNumberOption,
  type SupervisorOptions,
} from './supervisor-options.js';

/**
 * The flags of `runboard exec`: the CLI declares its commander options from this table, and
 * the launcher writes its command lines with {@link buildExecArgv}, so both agree on one
 * command line. Keys are the camel-case names of the flags; their values are checked by
 * {@link execOptionsFromFlags} with the supervisor's own rules.
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
  metricsMaxBytes: {
    flag: '--metrics-max-bytes',
    value: 'n',
    description: 'bytes metrics.jsonl may reach before its older half is thinned (default 8 MiB)',
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

/**
 * The options an exec command line carries as the flag of the same name, in the order
 * {@link buildExecArgv} writes them (after `--run-dir`).
 */
const OPTION_FLAGS = [
  'runId',
  'attempt',
  'gpus',
  'cwd',
  'heartbeatSeconds',
  'timeoutSeconds',
  'killGraceSeconds',
  'logMaxBytes',
  'metricsMaxBytes',
] as const satisfies ReadonlyArray<ExecFlagName & keyof SupervisorOptions>;

/** The part of {@link SupervisorOptions} an exec command line carries. */
export type ExecArgvOptions = Pick<
  SupervisorOptions,
  'runDir' | 'command' | 'epochDirs' | 'passThrough' | (typeof OPTION_FLAGS)[number]
>;

/** The numeric flags and the supervisor option whose rule each follows. */
const NUMBER_FLAGS = {
  attempt: 'attempt',
  heartbeatSeconds: 'heartbeatSeconds',
  timeoutSeconds: 'timeoutSeconds',
  killGraceSeconds: 'killGraceSeconds',
  logMaxBytes: 'logMaxBytes',
  metricsMaxBytes: 'metricsMaxBytes',
  epochDirsTotal: 'epochDirs.total',
} as const satisfies Partial<Record<ExecFlagName, SupervisorNumberOption>>;

/**
 * Turns flag texts (what commander hands over) and the job's argv into supervisor options
 * (`passThrough` unless `quiet`). Numbers are checked with the supervisor's own rules
 * (`SUPERVISOR_NUMBER_RULES`), named by their flag.
 *
 * @throws {ExecUsageError} for a missing `--run-dir` or command, or a value that breaks a rule.
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
  const numbers: Partial<Record<keyof typeof NUMBER_FLAGS, number>> = {};
  for (const [name, rule] of Object.entries(NUMBER_FLAGS) as Array<
    [keyof typeof NUMBER_FLAGS, SupervisorNumberOption]
  >) {
    const text = flags[name];
    if (text !== undefined) numbers[name] = flagNumber(name, rule, text);
  }
  const { epochDirsTotal, ...topLevel } = numbers;
  Object.assign(options, topLevel);
  if (flags.gpus !== undefined)
    options.gpus = flags.gpus.split(',').map((gpu) => flagNumber('gpus', 'gpu', gpu.trim()));
  if (
    flags.epochDirsFiles !== undefined ||
    epochDirsTotal !== undefined ||
    flags.epochDirsDir !== undefined
  ) {
    const expectedFiles = (flags.epochDirsFiles ?? '')
      .split(',')
      .map((file) => file.trim())
      .filter((file) => file !== '');
    options.epochDirs = { expectedFiles };
    if (epochDirsTotal !== undefined) options.epochDirs.total = epochDirsTotal;
    if (flags.epochDirsDir !== undefined) options.epochDirs.dir = flags.epochDirsDir;
  }
  return options;
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
  checkStringOption('runDir', options.runDir);
  if (!Array.isArray(options.command) || options.command.length === 0) {
    throw new TypeError('Expected `command` to be a non-empty array of strings');
  }
  const argv: string[] = [EXEC_FLAGS.runDir.flag, options.runDir];
  const add = (name: ExecFlagName, value: FlagValue | readonly FlagValue[] | undefined): void => {
    if (value === undefined) return;
    argv.push(EXEC_FLAGS[name].flag, typeof value === 'object' ? value.join(',') : String(value));
  };
  for (const name of OPTION_FLAGS) add(name, options[name]);
  if (options.epochDirs) {
    add('epochDirsFiles', options.epochDirs.expectedFiles);
    add('epochDirsTotal', options.epochDirs.total);
    add('epochDirsDir', options.epochDirs.dir);
  }
  if (options.passThrough === false) argv.push(EXEC_FLAGS.quiet.flag);
  argv.push('--', ...options.command);
  return argv;
}

type FlagValue = string | number;

/** The number in a flag's text, checked with the rule of supervisor option `rule`. */
function flagNumber(name: ExecFlagName, rule: SupervisorNumberOption, text: string): number {
  const flag = EXEC_FLAGS[name].flag;
  const value = text.trim() === '' ? Number.NaN : Number(text);
  if (Number.isNaN(value))
    throw new ExecUsageError(`${flag} expects a number, got ${JSON.stringify(text)}`);
  try {
    return checkSupervisorNumber(rule, value, flag);
  } catch (error) {
    throw new ExecUsageError(`${(error as Error).message}, got ${text}`, { cause: error });
  }
}
