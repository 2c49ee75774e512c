import { Command, Option } from 'commander';
import {
  EXEC_FLAGS,
  ExecUsageError,
  execOptionsFromFlags,
  runExecProcess,
  type ExecFlagValues,
  type SupervisorOptions,
} from '@runboard/launcher/supervisor';

/**
 * `runboard exec --run-dir DIR [options] -- CMD [ARGS…]`: supervise one run (the command every
 * executor starts). Commander reads the command line, with its options declared from the
 * supervisor's `EXEC_FLAGS` table (so the launcher's `buildExecArgv` and this command agree),
 * and hands the flags to `execOptionsFromFlags`, which checks their values with the
 * supervisor's own rules. Everything from `--` or the first non-flag argument on is the job's
 * argv, never parsed here. The exit code is the job's (128 + signal number when a signal ended
 * it), 1 on the supervisor's own error, 2 on bad usage.
 *
 * @example
 * createProgram().addCommand(execCommand());
 * // runboard exec --run-dir logs/cdd/run_1 --gpus 0 -- python train.py --seed 1
 */
export function execCommand(): Command {
  return defineExecCommand(async (options) => {
    process.exitCode = await runExecProcess(options);
  });
}

/**
 * The supervisor options an exec command line (the words after `exec`) stands for, without
 * running anything.
 *
 * @throws {CommanderError} on bad usage (unknown option, missing value or command), with commander's message.
 * @example
 * await parseExecArgs(['--run-dir', 'logs/a', '--gpus', '0', '--', 'python', 'train.py']);
 * // { runDir: 'logs/a', gpus: [0], command: ['python', 'train.py'], passThrough: true }
 */
export async function parseExecArgs(argv: readonly string[]): Promise<SupervisorOptions> {
  let parsed: SupervisorOptions | undefined;
  const command = defineExecCommand((options) => {
    parsed = options;
  }).configureOutput({ writeErr: () => {}, writeOut: () => {} });
  await command.parseAsync([...argv], { from: 'user' });
  if (!parsed) throw new Error('exec: no options parsed');
  return parsed;
}

function defineExecCommand(run: (options: SupervisorOptions) => void | Promise<void>): Command {
  const command = new Command('exec')
    .description(
      'Supervise one run: start it, tee its output to run.log, track progress, heartbeat, record its end.',
    )
    .usage('--run-dir <dir> [options] -- <command> [args...]')
    .argument('<command...>', "the job's program and arguments (after --)")
    .passThroughOptions()
    .exitOverride()
    .showHelpAfterError();
  for (const [name, spec] of Object.entries(EXEC_FLAGS)) {
    const option = new Option(
      spec.value ? `${spec.flag} <${spec.value}>` : spec.flag,
      spec.description,
    );
    if (name === 'runDir') option.makeOptionMandatory();
    command.addOption(option);
  }
  command.action(async (jobArgv: string[], flags: ExecFlagValues) => {
    let options: SupervisorOptions;
    try {
      options = execOptionsFromFlags(flags, jobArgv);
    } catch (error) {
      if (error instanceof ExecUsageError)
        command.error(`error: ${error.message}`, { exitCode: 2, code: error.code });
      throw error;
    }
    await run(options);
  });
  return command;
}
