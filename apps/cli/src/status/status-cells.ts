import type { RunView } from '@runboard/dashboard-api';
import { runWaiting, waitingText } from '../runs/waiting-text.js';
import type { TextStyle } from '../terminal/terminal-style.js';
import {
  barFill,
  formatAge,
  formatDuration,
  percentText,
  stepsText,
  terminalText,
  UNKNOWN,
} from '../terminal/terminal-text.js';
import { failureText } from '../runs/failure-text.js';

/** Colour of each status the dashboard shows. */
export const STATUS_STYLES: Readonly<Record<string, TextStyle>> = {
  queued: 'gray',
  starting: 'cyan',
  running: 'blue',
  succeeded: 'green',
  failed: 'red',
  cancelled: 'magenta',
  stalled: 'yellow',
  stuck: 'yellow',
  outdated: 'gray',
  unreadable: 'red',
};

/** Width of a row's progress bar, in cells. */
export const BAR_WIDTH = 20;

/** One run's cells in the `status` table, as plain text safe to print. */
export interface StatusCells {
  id: string;
  status: string;
  statusStyle: TextStyle;
  attempt: string;
  /** The filled part of the bar. */
  filled: string;
  percent: string;
  steps: string;
  eta: string;
  runtime: string;
  where: string;
  reason: string;
  updated: string;
  /** Why it failed or cannot be read, for the line under it; `''` for other runs. */
  problem: string;
}

const ENDED = ['succeeded', 'failed', 'cancelled', 'outdated'];

/**
 * The cells of `run`'s row at time `now` (ms since the epoch).
 *
 * @example
 * statusCells(run, Date.now()).runtime; // '12m 05s'
 */
export function statusCells(run: RunView, now: number): StatusCells {
  const record = run.record;
  const waiting = runWaiting(run);
  return {
    id: terminalText(run.id),
    status: terminalText(
      run.storedStatus !== null && run.storedStatus !== run.status
        ? `${run.status} (${run.storedStatus})`
        : run.status,
    ),
    statusStyle: STATUS_STYLES[run.status] ?? 'white',
    attempt: record && record.attempt > 0 ? attemptText(record.attempt, record.maxAttempts) : '',
    filled: run.percent === null ? '' : barFill(run.percent / 100, BAR_WIDTH),
    percent: percentText(run.percent),
    steps: record?.progress ? stepsText(record.progress) : '',
    eta: etaText(run, now),
    runtime: runtimeText(run, now),
    where: record && record.status !== 'queued' ? whereText(record) : '',
    reason: waiting ? waitingText(waiting, now) : '',
    updated: run.updatedAt === null ? UNKNOWN : formatAge(Date.parse(run.updatedAt), now),
    problem: run.readError
      ? terminalText(`${run.readError.code}: ${run.readError.message}`)
      : run.status === 'failed'
        ? failureText(record)
        : '',
  };
}

function attemptText(attempt: number, maxAttempts: number | undefined): string {
  return maxAttempts !== undefined && maxAttempts > 1
    ? `${attempt}/${Math.max(attempt, maxAttempts)}`
    : String(attempt);
}

/** Where the latest attempt runs or ran: server or host, GPUs, a Slurm job. */
function whereText(record: NonNullable<RunView['record']>): string {
  const parts: string[] = [];
  const machine = record.server ?? record.host;
  if (machine) parts.push(terminalText(machine));
  if (record.gpus && record.gpus.length > 0) parts.push(`GPU ${record.gpus.join(',')}`);
  if (record.executor?.kind === 'slurm' && record.executor.jobId)
    parts.push(`job ${terminalText(record.executor.jobId)}`);
  return parts.join(' ');
}

/** How long the latest attempt ran, or runs so far. */
function runtimeText(run: RunView, now: number): string {
  const record = run.record;
  if (!record?.startedAt || record.status === 'queued' || record.status === 'starting')
    return UNKNOWN;
  const started = Date.parse(record.startedAt);
  const ended = record.finishedAt ? Date.parse(record.finishedAt) : now;
  if (Number.isNaN(started) || Number.isNaN(ended)) return UNKNOWN;
  return formatDuration(Math.max(0, ended - started) / 1000);
}

function etaText(run: RunView, now: number): string {
  if (run.etaSeconds === null || ENDED.includes(run.status)) return UNKNOWN;
  const reportedAt = run.updatedAt === null ? now : Date.parse(run.updatedAt);
  return formatDuration(Math.max(0, run.etaSeconds - Math.max(0, now - reportedAt) / 1000));
}
