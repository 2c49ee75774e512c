import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { Command, InvalidArgumentError } from 'commander';
import {
  createPlanExecutor,
  dryRunLaunch,
  GpuPolicyUnavailableError,
  launch,
  loadPlan,
  PlanError,
  readRunRecord,
  resolveRunDir,
  SlurmMissingError,
  SshHostCheckError,
  type DryRunEntry,
  type Executor,
  type LaunchResult,
  type ResolvedPlan,
} from '@runboard/launcher';
import { formatFailedRuns } from '../launch-display/failed-runs.js';
import { createPlainReporter } from '../launch-display/plain-reporter.js';
import { createTtyReporter } from '../launch-display/tty-reporter.js';
import { exitCodeAction } from './exit-code-action.js';

interface LaunchFlags {
  root?: string;
  concurrency?: number;
  dryRun?: boolean;
  retryFailed?: boolean;
  plain?: boolean;
}

/** Exit codes of `runboard launch`. */
export const LAUNCH_EXIT = {
  succeeded: 0,
  failed: 1,
  usage: 2,
  /** Stopped by SIGINT / SIGTERM before every run finished (128 + signal number). */
  interrupted: { SIGINT: 130, SIGTERM: 143 },
} as const;

/** This CLI's version: the one every server of an SSH pool must run. */
const CLI_VERSION = (createRequire(import.meta.url)('../../package.json') as { version: string })
  .version;

/** The `runboard` bin next to the compiled CLI: what each run's `runboard exec` starts. */
const BIN_PATH = fileURLToPath(new URL('../../bin/runboard.js', import.meta.url));
/** What the bin imports for `exec` (the supervisor alone): loaded ahead by the executor's standby. */
const EXEC_MAIN_PATH = fileURLToPath(new URL('../exec-main.js', import.meta.url));

/**
 * `runboard launch PLAN [--root DIR] [--concurrency N] [--dry-run] [--retry-failed] [--plain]`:
 * reconcile the plan with its run folders and run what is not done, each run as a detached
 * `runboard exec` that outlives the launcher. Exit 0 when every run succeeded, 1 when any did
 * not, 2 on bad usage or an invalid plan (every problem listed), 130/143 when stopped by
 * SIGINT/SIGTERM (runs go on; launch again to adopt them).
 *
 * @example
 * runboard launch experiments/plan.json --concurrency 4
 * runboard launch plan.json --dry-run
 */
export function launchCommand(): Command {
  return new Command('launch')
    .description(
      'Run a plan: start what is not done, retry failures, adopt runs started earlier, show progress.',
    )
    .argument('<plan>', 'the plan file (JSON)')
    .exitOverride()
    .option(
      '--root <dir>',
      "folder of the run folders (default: the plan's root, relative to the plan file)",
    )
    .option(
      '--concurrency <n>',
      'runs at once (default: the plan, else GPU slots, else CPU count)',
      parsePositiveInteger,
    )
    .option('--dry-run', 'print what would start (ids, commands, GPUs) and change nothing')
    .option(
      '--retry-failed',
      'give runs that failed for good (or were cancelled) a fresh set of attempts',
    )
    .option('--plain', 'plain lines even on a terminal (no live bars)')
    .action(exitCodeAction(runLaunch));
}

async function runLaunch(planFile: string, flags: LaunchFlags): Promise<number> {
  let plan: ResolvedPlan;
  try {
    plan = await loadPlan(planFile, { root: flags.root, concurrency: flags.concurrency });
  } catch (error) {
    if (error instanceof PlanError) {
      process.stderr.write(`runboard launch: ${error.message}\n`);
      return LAUNCH_EXIT.usage;
    }
    throw error;
  }
  if (flags.dryRun) {
    process.stdout.write(
      formatDryRun(plan, await dryRunLaunch(plan, { retryFailed: flags.retryFailed })),
    );
    return LAUNCH_EXIT.succeeded;
  }

  let executor: Executor;
  try {
    executor = await createPlanExecutor(plan, {
      local: { execCommand: [process.execPath, BIN_PATH, 'exec'], preload: [EXEC_MAIN_PATH] },
      // On a shared filesystem the compute nodes can run this clone's bin, as this machine does.
      slurm: { runboard: BIN_PATH },
      // Servers must run this very version; RUNBOARD_SSH_CONFIG: an ssh_config for ssh -F.
      ssh: {
        version: CLI_VERSION,
        sshArgs: process.env.RUNBOARD_SSH_CONFIG ? ['-F', process.env.RUNBOARD_SSH_CONFIG] : [],
      },
    });
  } catch (error) {
    if (
      error instanceof PlanError ||
      error instanceof SlurmMissingError ||
      error instanceof SshHostCheckError
    ) {
      process.stderr.write(`runboard launch: ${error.message}\n`);
      return LAUNCH_EXIT.usage;
    }
    throw error;
  }

  const controller = new AbortController();
  let stopSignal: NodeJS.Signals | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopSignal) {
      // A second Ctrl-C: leave now (runs are detached and go on).
      process.exit(LAUNCH_EXIT.interrupted[signal === 'SIGTERM' ? 'SIGTERM' : 'SIGINT']);
    }
    stopSignal = signal;
    controller.abort(new Error(signal));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const stdout = process.stdout;
  const reporter =
    stdout.isTTY && !flags.plain ? createTtyReporter(stdout) : createPlainReporter(stdout);
  try {
    const result = await launch({
      plan,
      executor,
      retryFailed: flags.retryFailed,
      signal: controller.signal,
      reporter,
    });
    stdout.write(await failedRunsText(plan.root, result));
    if (!result.completed && stopSignal)
      return LAUNCH_EXIT.interrupted[stopSignal === 'SIGTERM' ? 'SIGTERM' : 'SIGINT'];
    return result.exitCode;
  } catch (error) {
    if (error instanceof GpuPolicyUnavailableError) {
      process.stderr.write(`runboard launch: ${error.message}\n`);
      return LAUNCH_EXIT.usage;
    }
    throw error;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** The runs of `result` that failed, named with why and their output's last lines. */
async function failedRunsText(root: string, result: LaunchResult): Promise<string> {
  const failed = result.runs.filter((run) => run.outcome === 'failed');
  const runs = await Promise.all(
    failed.map(async (run) => ({
      ...run,
      record: await readRunRecord(resolveRunDir(root, run.id)).catch(() => undefined),
    })),
  );
  return formatFailedRuns(runs, { root });
}

/** The `--dry-run` listing: one line per run, grouped by what would happen. */
export function formatDryRun(plan: ResolvedPlan, entries: readonly DryRunEntry[]): string {
  const count = (action: DryRunEntry['action']) =>
    entries.filter((entry) => entry.action === action).length;
  const lines = [
    `dry run of ${plan.file ?? 'the plan'}: nothing was started or written`,
    `root ${plan.root}, concurrency ${plan.concurrency}${plan.gpus.length > 0 ? `, GPUs ${plan.gpus.join(',')} × ${plan.runsPerGpu}` : ''}` +
      (plan.servers ? `, servers ${plan.servers.map((server) => server.name).join(', ')}` : ''),
    `${count('start')} start now, ${count('queue')} queued, ${count('wait')} waiting for dependencies, ` +
      `${count('running')} running, ${count('skip')} skipped`,
  ];
  const idWidth = Math.min(48, Math.max(...entries.map((entry) => entry.id.length), 2));
  const placeOf = (entry: DryRunEntry) =>
    [entry.server, entry.gpus && entry.gpus.length > 0 ? `GPU ${entry.gpus.join(',')}` : undefined]
      .filter(Boolean)
      .join(' ');
  const placeWidth = Math.max(9, ...entries.map((entry) => placeOf(entry).length));
  for (const entry of entries) {
    const place = placeOf(entry);
    const command = Array.isArray(entry.command)
      ? entry.command.map(quote).join(' ')
      : entry.command;
    lines.push(
      `  ${entry.action.padEnd(7)} ${entry.id.padEnd(idWidth)}  ${place.padEnd(placeWidth)} ${command}${entry.note ? `   (${entry.note})` : ''}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

function quote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

function parsePositiveInteger(value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1)
    throw new InvalidArgumentError('expected a positive integer');
  return number;
}
