import { hostname } from 'node:os';
import { Command, InvalidArgumentError } from 'commander';
import {
  InvalidRunIdError,
  isTerminalStatus,
  readRunRecord,
  requestCancel,
  resolveRunDir,
} from '@runboard/launcher';
import { rootOption } from './root-option.js';

interface CancelFlags {
  root: string;
  wait?: number | true;
}

const DEFAULT_WAIT_SECONDS = 60;
const WAIT_POLL_MS = 200;

/**
 * `runboard cancel RUN_ID… [--root DIR] [--wait [SECONDS]]`: ask runs to stop, through their
 * `control.json` (the supervisor stops the job's process group and records `cancelled`; a run
 * that has not started is recorded cancelled by the launcher before it would start). Runs
 * already finished are left alone. With `--wait`, waits until each is final.
 * Exit 0; 1 when a run does not exist or `--wait` ran out; 2 for an invalid run id.
 *
 * @example
 * runboard cancel cdd/Changer-s50_run_2 --root logs --wait
 */
export function cancelCommand(): Command {
  return new Command('cancel')
    .description(
      'Ask runs to stop (via their control.json); the supervisor records them cancelled.',
    )
    .argument('<runId...>', 'run ids, e.g. cdd/Changer-s50_run_2')
    .exitOverride()
    .addOption(rootOption())
    .option(
      '--wait [seconds]',
      `wait until the runs are final (default ${DEFAULT_WAIT_SECONDS} s)`,
      parseSeconds,
    )
    .action(async (runIds: string[], flags: CancelFlags) => {
      process.exitCode = await runCancel(runIds, flags);
    });
}

async function runCancel(runIds: readonly string[], flags: CancelFlags): Promise<number> {
  let exitCode = 0;
  const requested: { runId: string; runDir: string }[] = [];
  for (const runId of runIds) {
    let runDir: string;
    try {
      runDir = resolveRunDir(flags.root, runId);
    } catch (error) {
      if (!(error instanceof InvalidRunIdError)) throw error;
      process.stderr.write(`runboard cancel: ${error.message}\n`);
      return 2;
    }
    const record = await readRunRecord(runDir);
    if (!record) {
      process.stderr.write(`runboard cancel: no run ${runId} under ${flags.root}\n`);
      exitCode = 1;
      continue;
    }
    if (isTerminalStatus(record.status)) {
      process.stdout.write(`${runId}: already ${record.status}, nothing to cancel\n`);
      continue;
    }
    await requestCancel(runDir, {
      requestedBy: `runboard cancel on ${hostname()} (pid ${process.pid})`,
    });
    process.stdout.write(`${runId}: cancel requested (${record.status})\n`);
    requested.push({ runId, runDir });
  }
  if (flags.wait === undefined || requested.length === 0) return exitCode;

  const seconds = flags.wait === true ? DEFAULT_WAIT_SECONDS : flags.wait;
  const deadline = Date.now() + seconds * 1000;
  let waiting = requested;
  while (waiting.length > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, WAIT_POLL_MS));
    const still: typeof waiting = [];
    for (const run of waiting) {
      const record = await readRunRecord(run.runDir).catch(() => undefined);
      if (record && isTerminalStatus(record.status))
        process.stdout.write(`${run.runId}: ${record.status}\n`);
      else still.push(run);
    }
    waiting = still;
  }
  for (const run of waiting) {
    process.stderr.write(
      `runboard cancel: ${run.runId} is not final after ${seconds} s (is a launcher or supervisor running?)\n`,
    );
  }
  return waiting.length > 0 ? 1 : exitCode;
}

function parseSeconds(value: string): number {
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds <= 0)
    throw new InvalidArgumentError('expected a number of seconds');
  return seconds;
}
