import { CommanderError, type Command } from 'commander';

/** Exit code for bad usage (unknown option, missing argument, invalid plan). */
export const EXIT_USAGE = 2;

/**
 * Parses `argv` (without `node` and the script) with `program` and resolves with the exit code:
 * the one a command set, or {@link EXIT_USAGE} for commander's usage errors.
 */
export async function runProgram(program: Command, argv: readonly string[]): Promise<number> {
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
