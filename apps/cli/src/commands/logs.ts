import { join } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { MAX_LOG_TAIL_LINES, readLog } from '@runboard/dashboard-api';
import {
  InvalidRunIdError,
  readRunRecord,
  resolveRunDir,
  ROTATED_LOG_FILE,
  RUN_FILES,
} from '@runboard/launcher';
import { createAttemptMarker } from '../logs/attempt-marker.js';
import { followRunLog } from '../logs/follow-run-log.js';
import { logText, terminalText } from '../terminal/terminal-text.js';
import { exitCodeAction } from './exit-code-action.js';
import { rootOption } from './root-option.js';

interface LogsFlags {
  root: string;
  follow?: boolean;
  tail: number;
  raw?: boolean;
}

const DEFAULT_TAIL_LINES = 50;
const EXIT_INTERRUPTED = 130;

/**
 * `runboard logs RUN_ID [--root DIR] [-f] [-n|--tail N] [--raw]`: the end of a run's output
 * (`run.log`, and `run.log.1` when the tail reaches back into it), with a `— attempt N —` line
 * where each attempt starts. `-f` follows it as it grows, across retries, until the run ends for
 * good (exit 0 when it succeeded, 1 when not) or Ctrl-C (130). Escape sequences and control
 * characters are removed unless `--raw`. Exit 1 when the run does not exist; 2 for bad usage.
 *
 * @example
 * runboard logs cdd/run_2 -f
 * runboard logs cdd/run_2 --tail 500 --raw > run_2.txt
 */
export function logsCommand(): Command {
  return new Command('logs')
    .description("Print a run's output (run.log); -f follows it across attempts until it ends.")
    .argument('<runId>', 'the run id, e.g. cdd/Changer-s50_run_2')
    .exitOverride()
    .addOption(rootOption())
    .option('-f, --follow', 'keep printing what the run writes until it ends for good')
    .option(
      '-n, --tail <lines>',
      `lines shown first (default ${DEFAULT_TAIL_LINES})`,
      parseLines,
      DEFAULT_TAIL_LINES,
    )
    .option('--raw', "print the job's bytes as they are (escape sequences included)")
    .action(exitCodeAction(runLogs));
}

async function runLogs(runId: string, flags: LogsFlags): Promise<number> {
  let runDir: string;
  try {
    runDir = resolveRunDir(flags.root, runId);
  } catch (error) {
    if (!(error instanceof InvalidRunIdError)) throw error;
    process.stderr.write(`runboard logs: ${error.message}\n`);
    return 2;
  }
  if (!(await readRunRecord(runDir).catch(() => undefined))) {
    process.stderr.write(`runboard logs: no run ${terminalText(runId)} under ${flags.root}\n`);
    return 1;
  }
  const print = (text: string) => process.stdout.write(flags.raw ? text : logText(text));
  if (!flags.follow) {
    const marker = createAttemptMarker(print);
    marker.push(await readTail(runDir, flags.tail));
    marker.flush();
    return 0;
  }
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const final = await followRunLog({
      root: flags.root,
      runDir,
      tail: flags.tail,
      write: print,
      signal: stop.signal,
    });
    if (!final) return EXIT_INTERRUPTED;
    process.stderr.write(`runboard logs: ${terminalText(runId)} ${final.status}\n`);
    return final.status === 'succeeded' ? 0 : 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** The last `lines` lines of the run's output, reaching into `run.log.1` when `run.log` has fewer. */
async function readTail(runDir: string, lines: number): Promise<string> {
  const current = await readLog(join(runDir, RUN_FILES.log), { tail: lines });
  const have = countLines(current.text);
  if (have >= lines) return current.text;
  const older = await readLog(join(runDir, ROTATED_LOG_FILE), { tail: lines - have });
  return older.text + current.text;
}

function countLines(text: string): number {
  if (text === '') return 0;
  const newlines = text.split('\n').length - 1;
  return text.endsWith('\n') ? newlines : newlines + 1;
}

function parseLines(value: string): number {
  const lines = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isInteger(lines) || lines > MAX_LOG_TAIL_LINES)
    throw new InvalidArgumentError(`expected a number of lines from 0 to ${MAX_LOG_TAIL_LINES}`);
  return lines;
}
