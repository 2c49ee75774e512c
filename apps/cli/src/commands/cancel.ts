import { hostname } from 'node:os';
import { Command } from 'commander';
import { Minimatch } from 'minimatch';
import {
  InvalidRunIdError,
  isTerminalStatus,
  readRunRecord,
  requestCancel,
  resolveRunDir,
} from '@runboard/launcher';
import type { RunStatus } from '@runboard/launcher';
import type { DashboardStatus } from '@runboard/dashboard-api';
import { askYesNo } from '../runs/confirm.js';
import { isSelected, parseStatusList, unmatchedPatterns } from '../runs/run-selection.js';
import { readStatus } from '../status/read-status.js';
import { terminalText } from '../terminal/terminal-text.js';
import { exitCodeAction } from './exit-code-action.js';
import { parseSeconds } from './parse-seconds.js';
import { rootOption } from './root-option.js';

interface CancelFlags {
  root: string;
  wait?: number | true;
  status?: DashboardStatus[];
  yes?: boolean;
}

interface CancelTarget {
  runId: string;
  runDir: string;
  status: RunStatus;
}

const DEFAULT_WAIT_SECONDS = 60;
const WAIT_POLL_MS = 200;
const EXIT_USAGE = 2;

/**
 * `runboard cancel [RUN…] [--status S,…] [--root DIR] [--yes] [--wait [SECONDS]]`: ask runs to
 * stop, through their `control.json` (the supervisor stops the job's process group and records
 * `cancelled`; a run that has not started is recorded cancelled by the launcher before it would
 * start). Runs already finished are left alone. Runs named by their ids are cancelled at once;
 * a glob (`'sweep/*'`), a folder or `--status` first lists what it selects and asks on a
 * terminal (`--yes` skips the question; without a terminal `--yes` is required). With `--wait`,
 * waits until each is final. Exit 0; 1 when a run does not exist or `--wait` ran out; 2 for an
 * invalid run id, nothing selected to ask about, or a question that cannot be asked.
 *
 * @example
 * runboard cancel cdd/Changer-s50_run_2 --root logs --wait
 * runboard cancel 'sweep/*' --status queued --yes
 */
export function cancelCommand(): Command {
  return new Command('cancel')
    .description(
      'Ask runs to stop (via their control.json); the supervisor records them cancelled.',
    )
    .argument('[runs...]', "run ids or globs, e.g. cdd/Changer-s50_run_2 or 'sweep/*'")
    .exitOverride()
    .addOption(rootOption())
    .option('--status <statuses>', 'only runs with these statuses, e.g. queued', parseStatusList)
    .option('-y, --yes', 'cancel what a glob, folder or --status selects without asking')
    .option(
      '--wait [seconds]',
      `wait until the runs are final (default ${DEFAULT_WAIT_SECONDS} s)`,
      parseSeconds,
    )
    .action(exitCodeAction(runCancel));
}

async function runCancel(patterns: readonly string[], flags: CancelFlags): Promise<number> {
  if (patterns.length === 0 && !flags.status) {
    process.stderr.write(
      "runboard cancel: name the runs (ids or globs such as 'sweep/*') or select them with --status\n",
    );
    return EXIT_USAGE;
  }
  const literal = patterns.filter((pattern) => !new Minimatch(pattern).hasMagic());
  for (const runId of literal) {
    try {
      resolveRunDir(flags.root, runId);
    } catch (error) {
      if (!(error instanceof InvalidRunIdError)) throw error;
      process.stderr.write(`runboard cancel: ${error.message}\n`);
      return EXIT_USAGE;
    }
  }
  const named = literal.length === patterns.length && !flags.status;
  const found = named ? await readNamedRuns(flags.root, literal) : undefined;
  const chosen = found ?? (await selectRuns(flags.root, patterns, flags.status ?? []));
  if (chosen === undefined) return 1;
  let exitCode = chosen.exitCode;

  if (!found && chosen.targets.length > 0) {
    const count = `${chosen.targets.length} run${chosen.targets.length === 1 ? '' : 's'}`;
    process.stdout.write(
      `${count} to cancel:\n${chosen.targets.map((run) => `  ${terminalText(run.runId)}  (${run.status})\n`).join('')}`,
    );
    if (!flags.yes) {
      if (!process.stdin.isTTY) {
        process.stderr.write(
          `runboard cancel: not asking without a terminal; add --yes to cancel these ${count}\n`,
        );
        return EXIT_USAGE;
      }
      if (!(await askYesNo(`Cancel these ${count}? [y/N] `))) {
        process.stdout.write('nothing cancelled\n');
        return exitCode;
      }
    }
  }
  for (const run of chosen.targets) {
    await requestCancel(run.runDir, {
      requestedBy: `runboard cancel on ${hostname()} (pid ${process.pid})`,
    });
    process.stdout.write(`${terminalText(run.runId)}: cancel requested (${run.status})\n`);
  }
  if (flags.wait !== undefined && chosen.targets.length > 0) {
    const seconds = flags.wait === true ? DEFAULT_WAIT_SECONDS : flags.wait;
    if (!(await waitUntilFinal(chosen.targets, seconds))) exitCode = 1;
  }
  return exitCode;
}

/** Runs named by their ids; `undefined` when one is not a run (it may be a folder of runs). */
async function readNamedRuns(
  root: string,
  runIds: readonly string[],
): Promise<{ targets: CancelTarget[]; exitCode: number } | undefined> {
  const records = await Promise.all(
    runIds.map(async (runId) => {
      const runDir = resolveRunDir(root, runId);
      return { runId, runDir, record: await readRunRecord(runDir) };
    }),
  );
  const targets: CancelTarget[] = [];
  for (const { runId, runDir, record } of records) {
    if (!record) return undefined;
    if (isTerminalStatus(record.status)) continue;
    targets.push({ runId, runDir, status: record.status });
  }
  for (const { runId, record } of records) {
    if (record && isTerminalStatus(record.status))
      process.stdout.write(`${runId}: already ${record.status}, nothing to cancel\n`);
  }
  return { targets, exitCode: 0 };
}

/** The unfinished runs a selection picks, read through the run index. */
async function selectRuns(
  root: string,
  patterns: readonly string[],
  statuses: readonly DashboardStatus[],
): Promise<{ targets: CancelTarget[]; exitCode: number } | undefined> {
  let runs;
  try {
    runs = (await readStatus({ root })).runs;
  } catch (error) {
    process.stderr.write(
      `runboard cancel: --root ${terminalText(root)} is not a readable folder (${(error as Error).message})\n`,
    );
    return undefined;
  }
  let exitCode = 0;
  for (const pattern of unmatchedPatterns(runs, patterns)) {
    process.stderr.write(`runboard cancel: no run ${terminalText(pattern)} under ${root}\n`);
    exitCode = 1;
  }
  const selected = runs.filter((run) => isSelected(run, { patterns, statuses }));
  const targets: CancelTarget[] = [];
  let finished = 0;
  for (const run of selected) {
    const status = run.storedStatus;
    if (status === null || isTerminalStatus(status)) finished += 1;
    else targets.push({ runId: run.id, runDir: resolveRunDir(root, run.id), status });
  }
  if (finished > 0)
    process.stdout.write(
      `${finished} selected run${finished === 1 ? ' is' : 's are'} finished or unreadable: left alone\n`,
    );
  if (selected.length === 0 && exitCode === 0) process.stdout.write('no run selected\n');
  return { targets, exitCode };
}

/** Waits until every run is final; says which are not after `seconds`. */
async function waitUntilFinal(targets: readonly CancelTarget[], seconds: number): Promise<boolean> {
  const deadline = Date.now() + seconds * 1000;
  let waiting = targets;
  while (waiting.length > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, WAIT_POLL_MS));
    const still: CancelTarget[] = [];
    for (const run of waiting) {
      const record = await readRunRecord(run.runDir).catch(() => undefined);
      if (record && isTerminalStatus(record.status))
        process.stdout.write(`${terminalText(run.runId)}: ${record.status}\n`);
      else still.push(run);
    }
    waiting = still;
  }
  for (const run of waiting) {
    process.stderr.write(
      `runboard cancel: ${terminalText(run.runId)} is not final after ${seconds} s (is a launcher or supervisor running?)\n`,
    );
  }
  return waiting.length === 0;
}
