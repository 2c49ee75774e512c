import { Command, Option } from 'commander';
import { RUN_SORT_KEYS } from '@runboard/dashboard-api';
import type { RunSortKey } from '@runboard/dashboard-api';
import { readStatus } from '../status/read-status.js';
import { formatStatusTable } from '../status/status-table.js';
import { shouldColor, stylizer } from '../terminal/terminal-style.js';
import { terminalText } from '../terminal/terminal-text.js';
import { rootOption } from './root-option.js';

interface StatusOptions {
  root: string;
  json?: boolean;
  sort: RunSortKey;
}

/**
 * `runboard status [--root DIR] [--json] [--sort KEY]`: every run under the root with its
 * status (derived states included), progress, ETA and last update, as a terminal table or
 * JSON. Reads only; exit 0, or 1 when the root cannot be read.
 *
 * @example
 * runboard status --root logs
 * runboard status --json | jq '.runs[] | select(.status == "failed") | .id'
 */
export function statusCommand(): Command {
  return (
    new Command('status')
      // Usage errors reach main(), which exits 2 (addCommand does not inherit this setting).
      .exitOverride()
      .description('Show every run under the root: status, progress, ETA and last update.')
      .addOption(rootOption())
      .option('--json', 'print JSON ({ root, generatedAt, summary, runs }) instead of a table')
      .addOption(
        new Option('--sort <key>', 'order of the runs').choices(RUN_SORT_KEYS).default('id'),
      )
      .action(async (options: StatusOptions) => {
        try {
          const snapshot = await readStatus({
            root: options.root,
            sort: options.sort,
            onWarning: (warning) =>
              process.stderr.write(`runboard status: warning: ${terminalText(warning.message)}\n`),
          });
          if (options.json) {
            process.stdout.write(`${JSON.stringify(snapshot, null, 2)}\n`);
            return;
          }
          process.stdout.write(
            formatStatusTable(snapshot.runs, snapshot.summary, {
              now: Date.now(),
              stylize: stylizer(shouldColor(process.stdout)),
              columns: process.stdout.isTTY ? process.stdout.columns : undefined,
            }),
          );
        } catch (error) {
          process.stderr.write(
            `runboard status: ${error instanceof Error ? error.message : String(error)}\n`,
          );
          process.exitCode = 1;
        }
      })
  );
}
