import { Command } from 'commander';
import { execCommand } from './commands/exec.js';
import { standbyCommand } from './commands/standby.js';
import { runProgram } from './run-program.js';

/**
 * `runboard exec` alone (and `runboard standby`, an exec waiting for its run). A supervisor
 * lives as long as its run, one per run, so the bin loads this entry for both instead of the
 * whole CLI (the dashboard's server, the launcher, zod):
 * about 15 MB less resident memory per run.
 *
 * @example
 * process.exitCode = await main(['exec', '--run-dir', 'logs/run_1', '--', 'python', 'train.py']);
 */
export async function main(argv: readonly string[]): Promise<number> {
  const program = new Command('runboard')
    .exitOverride()
    .enablePositionalOptions()
    .addCommand(execCommand())
    .addCommand(
      standbyCommand((args) => main(['exec', ...args])),
      { hidden: true },
    );
  return runProgram(program, argv);
}
