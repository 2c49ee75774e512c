import { createRequire } from 'node:module';
import { Command } from 'commander';
import { cancelCommand } from './commands/cancel.js';
import { dashboardCommand } from './commands/dashboard.js';
import { execCommand } from './commands/exec.js';
import { launchCommand } from './commands/launch.js';
import { logsCommand } from './commands/logs.js';
import { statusCommand } from './commands/status.js';

/** This CLI's version, from its package.json (beside `src/` and `dist/` alike). */
export const CLI_VERSION: string = (
  createRequire(import.meta.url)('../package.json') as { version: string }
).version;

/**
 * The `runboard` command tree. Each command lives in `commands/<name>.ts` as a thin layer
 * over the packages' programmatic APIs.
 */
export function createProgram(): Command {
  return (
    new Command('runboard')
      .description('Launch long-running jobs, record their state safely, and watch them live.')
      .version(CLI_VERSION, '-V, --version', 'print the version of runboard')
      .exitOverride()
      .showHelpAfterError()
      // `exec` passes everything after the job's program through untouched.
      .enablePositionalOptions()
      .addCommand(launchCommand())
      .addCommand(execCommand())
      .addCommand(dashboardCommand())
      .addCommand(statusCommand())
      .addCommand(cancelCommand())
      .addCommand(logsCommand())
  );
}
