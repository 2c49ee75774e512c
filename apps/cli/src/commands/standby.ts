import { Command } from 'commander';
import { awaitStandbyAssignment, StandbyAssignmentError } from '@runboard/launcher/supervisor';
import { EXIT_USAGE } from '../run-program.js';
import { exitCodeAction } from './exit-code-action.js';

/**
 * `runboard standby`: a `runboard exec` started before its run is known, so that node has
 * booted and the supervisor is loaded when the run comes. The SSH executor keeps standbys
 * waiting on each server over its connection and sends one a line on stdin, the run's exec
 * arguments, environment and folder (see `readStandbyAssignment`); it answers `taken` and
 * becomes that supervisor. Its stdin ending first (the launcher left) ends it, exit 0. Not for
 * people: the bin sends it to `exec-main.ts`, hidden from help.
 *
 * @example
 * program.addCommand(standbyCommand((args) => main(['exec', ...args])), { hidden: true });
 * // echo '{"args":["--run-dir","/logs/a","--","true"],"env":{},"cwd":"/logs/a"}' | runboard standby
 */
export function standbyCommand(runExec: (args: string[]) => Promise<number>): Command {
  return new Command('standby')
    .description('Wait for one run on stdin, then supervise it as `runboard exec` (for launchers).')
    .action(
      exitCodeAction(async () => {
        let args: string[] | undefined;
        try {
          args = await awaitStandbyAssignment();
        } catch (error) {
          if (!(error instanceof StandbyAssignmentError)) throw error;
          process.stderr.write(`runboard standby: ${error.message}\n`);
          return EXIT_USAGE;
        }
        return args ? runExec(args) : 0;
      }),
    );
}
