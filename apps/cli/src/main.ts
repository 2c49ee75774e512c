import { createProgram } from './cli.js';
import { runProgram } from './run-program.js';

export { EXIT_USAGE } from './run-program.js';

/**
 * Runs the runboard CLI with `argv` (without `node` and the script) and resolves with the
 * process exit code. Commands print their own output; usage errors print to stderr.
 *
 * @example
 * process.exitCode = await main(['status', '--root', 'logs']);
 */
export async function main(argv: readonly string[]): Promise<number> {
  return runProgram(createProgram(), argv);
}
