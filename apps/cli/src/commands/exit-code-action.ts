/**
 * A commander action that runs `run` with the command's arguments and options and sets the
 * process's exit code to the number it resolves with (the process then ends on its own, after
 * its output is flushed).
 *
 * @example
 * new Command('logs').argument('<runId>').action(exitCodeAction(runLogs));
 */
export function exitCodeAction<Args extends unknown[]>(
  run: (...args: Args) => Promise<number>,
): (...args: Args) => Promise<void> {
  return async (...args) => {
    process.exitCode = await run(...args);
  };
}
