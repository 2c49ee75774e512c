import { Command, Option } from 'commander';
import { DashboardRootError, RUN_SORT_KEYS } from '@runboard/dashboard-api';
import type { DashboardStatus, RunSortKey, RunView } from '@runboard/dashboard-api';
import { readRunRecord, resolveRunDir } from '@runboard/launcher';
import { isSelected, parseStatusList, unmatchedPatterns } from '../runs/run-selection.js';
import { openStatusReader } from '../status/read-status.js';
import type { StatusReader, StatusSnapshot } from '../status/read-status.js';
import { formatStatusTable } from '../status/status-table.js';
import { watchLoop } from '../status/watch-loop.js';
import { shouldColor, stylizer } from '../terminal/terminal-style.js';
import { terminalText } from '../terminal/terminal-text.js';
import { exitCodeAction } from './exit-code-action.js';
import { parseSeconds } from './parse-seconds.js';
import { rootOption } from './root-option.js';

interface StatusOptions {
  root: string;
  json?: boolean;
  sort: RunSortKey;
  status?: DashboardStatus[];
  verbose?: boolean;
  watch?: number | true;
}

const DEFAULT_WATCH_SECONDS = 2;

/**
 * `runboard status [RUN…] [--root DIR] [--status S,…] [-v] [--watch [SECONDS]] [--json] [--sort KEY]`:
 * the runs under the root — status (derived states included), attempt, runtime, progress,
 * ETA, where they run, why queued ones wait, last update — as a terminal table or JSON.
 * `RUN` arguments are ids or globs (`'sweep/*'`); a folder selects every run under it.
 * Reads only; exit 0, 1 when the root cannot be read or a `RUN` matches nothing.
 *
 * @example
 * runboard status --root logs 'sweep/*' --status failed,running
 * runboard status cdd/run_2            # one run: its error and the last lines of its output
 * runboard status --watch 5
 * runboard status --json | jq '.runs[] | select(.status == "failed") | .id'
 */
export function statusCommand(): Command {
  return (
    new Command('status')
      // Usage errors reach main(), which exits 2 (addCommand does not inherit this setting).
      .exitOverride()
      .description(
        'Show the runs under the root: status, attempt, runtime, progress, ETA, where, why they wait.',
      )
      .argument('[runs...]', "run ids or globs, e.g. cdd/run_2 or 'sweep/*' (default: all)")
      .addOption(rootOption())
      .option(
        '--status <statuses>',
        'only runs with these statuses, e.g. failed,running',
        parseStatusList,
      )
      .option('-v, --verbose', 'under each failed run, the last lines of its output too')
      .option(
        '-w, --watch [seconds]',
        `redraw every SECONDS (default ${DEFAULT_WATCH_SECONDS}) until Ctrl-C`,
        parseSeconds,
      )
      .option('--json', 'print JSON ({ root, generatedAt, summary, runs }) instead of a table')
      .addOption(
        new Option('--sort <key>', 'order of the runs').choices(RUN_SORT_KEYS).default('id'),
      )
      .action(exitCodeAction(runStatus))
  );
}

async function runStatus(patterns: readonly string[], options: StatusOptions): Promise<number> {
  let reader: StatusReader;
  try {
    reader = await openStatusReader({
      root: options.root,
      sort: options.sort,
      onWarning: (warning) =>
        process.stderr.write(`runboard status: warning: ${terminalText(warning.message)}\n`),
    });
  } catch (error) {
    process.stderr.write(`runboard status: ${rootProblem(error, options.root)}\n`);
    return 1;
  }
  try {
    if (options.watch === undefined) {
      const snapshot = await reader.read();
      process.stdout.write(await render(snapshot, patterns, options, false));
      const unmatched = unmatchedPatterns(snapshot.runs, patterns);
      for (const pattern of unmatched)
        process.stderr.write(`runboard status: no run matches ${terminalText(pattern)}\n`);
      return unmatched.length > 0 ? 1 : 0;
    }
    const stop = new AbortController();
    const onSignal = () => stop.abort();
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    const seconds = options.watch === true ? DEFAULT_WATCH_SECONDS : options.watch;
    try {
      await watchLoop({
        intervalSeconds: seconds,
        stream: process.stdout,
        signal: stop.signal,
        render: async () => {
          const snapshot = await reader.read();
          if (options.json) return render(snapshot, patterns, options, true);
          const heading = `every ${seconds}s: runboard status ${terminalText(snapshot.root)}  ${clockTime(new Date())}`;
          return `${heading}\n\n${await render(snapshot, patterns, options, true)}`;
        },
      });
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
    return 0;
  } catch (error) {
    process.stderr.write(
      `runboard status: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    return 1;
  } finally {
    await reader.close();
  }
}

/** The table (or JSON) of the selected runs. */
async function render(
  snapshot: StatusSnapshot,
  patterns: readonly string[],
  options: StatusOptions,
  watching: boolean,
): Promise<string> {
  const selection = { patterns, statuses: options.status ?? [] };
  const selected =
    patterns.length === 0 && selection.statuses.length === 0
      ? snapshot.runs
      : snapshot.runs.filter((run) => isSelected(run, selection));
  if (options.json) {
    const shown = { ...snapshot, runs: selected };
    return `${watching ? JSON.stringify(shown) : JSON.stringify(shown, null, 2)}\n`;
  }
  // One run asked for by its id: its whole story.
  const oneRun = selected.length === 1 && patterns.length === 1 && selected[0].id === patterns[0];
  const verbose = options.verbose === true || oneRun;
  const shown = verbose ? await withWholeRecords(snapshot.root, selected) : selected;
  return formatStatusTable(shown, snapshot.summary, {
    now: Date.now(),
    stylize: stylizer(shouldColor(process.stdout)),
    columns: process.stdout.isTTY ? process.stdout.columns : undefined,
    verbose,
    ...(selected === snapshot.runs ? {} : { totalRuns: snapshot.runs.length }),
  });
}

/**
 * Failed runs with their whole record: the index keeps list records, without `errorTail`
 * (memory per run; see dashboard-api's `listRecordOf`).
 */
function withWholeRecords(root: string, runs: RunView[]): Promise<RunView[]> {
  return Promise.all(
    runs.map(async (run) => {
      if (run.status !== 'failed' || run.record?.errorTail) return run;
      const record = await readRunRecord(resolveRunDir(root, run.id)).catch(() => undefined);
      return record ? { ...run, record } : run;
    }),
  );
}

/** What is wrong with `--root`, naming the option (the root is not "the dashboard's" here). */
function rootProblem(error: unknown, root: string): string {
  if (!(error instanceof DashboardRootError))
    return error instanceof Error ? error.message : String(error);
  const code = (error.cause as NodeJS.ErrnoException | undefined)?.code;
  const why =
    code === 'ENOENT'
      ? 'it does not exist'
      : code === 'ENOTDIR'
        ? 'it is a file'
        : code === 'EACCES'
          ? 'permission denied'
          : (code ?? 'unknown error');
  return `--root ${terminalText(error.root || root)} (${why}) is not a readable folder`;
}

/** `13:04:05` in local time. */
function clockTime(date: Date): string {
  return [date.getHours(), date.getMinutes(), date.getSeconds()]
    .map((part) => String(part).padStart(2, '0'))
    .join(':');
}
