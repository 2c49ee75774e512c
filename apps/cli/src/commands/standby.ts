import { Command } from 'commander';
import { awaitStandbyAssignment, StandbyAssignmentError } from '@runboard/launcher/supervisor';

/**
 * `runboard standby`: a `runboard exec` started before its run is known, so that node has
 * booted and the supervisor is loaded when the run comes. The SSH executor keeps one per server
 * over its connection and sends it one line on stdin, the run's exec arguments, environment
 * and folder (see `readStandbyAssignment`); it answers `taken` and becomes that supervisor.
 * Its stdin ending first (the launcher left) ends it, exit 0. Not for people: hidden from help.
 *
 * @example
 * createProgram().addCommand(standbyCommand((args) => main(['exec', ...args])), { hidden: true });
 * // echo '{"args":["--run-dir","/logs/a","--","true"],"env":{},"cwd":"/logs/a"}' | runboard standby
 */
export function standbyCommand(runExec: (args: string[]) => Promise<number>): Command {
  return new Command('standby')
    .description('Wait for one run on stdin, then supervise it as `runboard exec` (for launchers).')
    .action(async () => {
      let args;
      try {
        args = await awaitStandbyAssignment();
      } catch (error) {
        if (!(error instanceof StandbyAssignmentError)) throw error;
        process.stderr.write(`runboard standby: ${error.message}\n`);
        process.exitCode = 2;
        return;
      }
      if (args) process.exitCode = await runExec(args);
    });
}
