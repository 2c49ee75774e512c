import { CommanderError } from 'commander';
import { createProgram } from './cli.js';

/** Exit code for bad usage (unknown option, missing argument, invalid plan). */
export const EXIT_USAGE = 2;

/**
 * Runs the runboard CLI with `argv` (without `node` and the script) and resolves with the
 * process exit code. Commands print their own output; usage errors print to stderr.
 *
 * @example
 * process.exitCode = await main(['status', '--root', 'logs']);
 */
export async function main(argv: readonly string[]): Promise<number> {
  const program = createProgram();
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? 0 : EXIT_USAGE;
    }
    throw error;
  }
}
