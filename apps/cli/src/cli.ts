import { Command } from 'commander';
import { cancelCommand } from './commands/cancel.js';
import { dashboardCommand } from './commands/dashboard.js';
import { execCommand } from './commands/exec.js';
import { launchCommand } from './commands/launch.js';
import { statusCommand } from './commands/status.js';

/**
 * The `runboard` command tree. Each command lives in `commands/<name>.ts` as a thin layer
 * over the packages' programmatic APIs.
 */
export function createProgram(): Command {
  return (
    new Command('runboard')
      .description('Launch long-running jobs, record their state safely, and watch them live.')
      .exitOverride()
      .showHelpAfterError()
      // `exec` passes everything after the job's program through untouched.
      .enablePositionalOptions()
      .addCommand(launchCommand())
      .addCommand(execCommand())
      .addCommand(dashboardCommand())
      .addCommand(statusCommand())
      .addCommand(cancelCommand())
  );
}
