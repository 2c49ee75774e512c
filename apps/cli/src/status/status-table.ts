import type { DashboardSummary, RunView } from '@runboard/dashboard-api';
import type { Stylize, TextStyle } from '../terminal/terminal-style.js';
import {
  barFill,
  cutEnd,
  cutStart,
  formatAge,
  formatDuration,
  padEnd,
  padStart,
  percentText,
  stepsText,
  terminalText,
  UNKNOWN,
} from '../terminal/terminal-text.js';

export interface StatusTableOptions {
  /** The clock, ms since the epoch. */
  now: number;
  stylize: Stylize;
  /** Terminal width; ids are shortened to fit. `undefined` (a pipe): ids are never shortened. */
  columns?: number;
}

/** Colour of each status the dashboard shows. */
const STATUS_STYLES: Readonly<Record<string, TextStyle>> = {
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

/** Order of the counts in the footer: active work first. */
const COUNT_ORDER = [
  'running',
  'starting',
  'queued',
  'stalled',
  'stuck',
  'failed',
  'unreadable',
  'cancelled',
  'succeeded',
  'outdated',
];

const BAR_WIDTH = 20;

/**
 * The terminal table of `runboard status`: one line per run (id, status with the stored one
 * when a derived state overrides it, progress bar, percent and steps, ETA, age of the last
 * update) and a footer with the counts, overall percent and ETA.
 *
 * @example
 * process.stdout.write(formatStatusTable(runs, summary, { now: Date.now(), stylize: (_, text) => text }));
 */
export function formatStatusTable(
  runs: readonly RunView[],
  summary: DashboardSummary,
  options: StatusTableOptions,
): string {
  const { now, stylize } = options;
  if (runs.length === 0) return `${stylize('dim', 'No runs yet.')}\n`;
  const rows = runs.map((run) => ({
    id: terminalText(run.id),
    status: terminalText(statusText(run)),
    statusStyle: STATUS_STYLES[run.status] ?? 'white',
    filled: run.percent === null ? '' : barFill(run.percent / 100, BAR_WIDTH),
    percent: percentText(run.percent),
    steps: run.record?.progress ? stepsText(run.record.progress) : '',
    eta: etaText(run, now),
    updated: run.updatedAt === null ? UNKNOWN : formatAge(Date.parse(run.updatedAt), now),
    problem: problemText(run),
  }));
  const statusWidth = Math.max(6, ...rows.map((row) => row.status.length));
  const stepsWidth = Math.max(0, ...rows.map((row) => row.steps.length));
  const etaWidth = Math.max(3, ...rows.map((row) => row.eta.length));
  const updatedWidth = Math.max(7, ...rows.map((row) => row.updated.length));
  const fixedWidth =
    statusWidth +
    BAR_WIDTH +
    5 +
    (stepsWidth > 0 ? stepsWidth + 2 : 0) +
    etaWidth +
    updatedWidth +
    10;
  const longestId = Math.max(3, ...rows.map((row) => row.id.length));
  const idWidth =
    options.columns === undefined
      ? longestId
      : Math.min(longestId, Math.max(16, options.columns - fixedWidth));

  const header = [
    padEnd('RUN', idWidth),
    padEnd('STATUS', statusWidth),
    padEnd('PROGRESS', BAR_WIDTH + 5 + (stepsWidth > 0 ? stepsWidth + 2 : 0)),
    padStart('ETA', etaWidth),
    padStart('UPDATED', updatedWidth),
  ].join('  ');
  const lines = [stylize('dim', header.trimEnd())];
  for (const row of rows) {
    const bar =
      stylize(row.statusStyle, row.filled) +
      stylize('dim', '░'.repeat(BAR_WIDTH - [...row.filled].length));
    const progress = `${bar} ${padStart(row.percent, 4)}${stepsWidth > 0 ? `  ${padEnd(row.steps, stepsWidth)}` : ''}`;
    lines.push(
      [
        padEnd(cutStart(row.id, idWidth), idWidth),
        stylize(row.statusStyle, padEnd(row.status, statusWidth)),
        progress,
        padStart(row.eta, etaWidth),
        stylize('dim', padStart(row.updated, updatedWidth)),
      ]
        .join('  ')
        .trimEnd(),
    );
    if (row.problem) {
      const limit = options.columns === undefined ? Infinity : Math.max(20, options.columns - 4);
      lines.push(stylize('red', `  ↳ ${cutEnd(row.problem, limit)}`));
    }
  }
  lines.push('', footer(summary, stylize));
  return `${lines.join('\n')}\n`;
}

function statusText(run: RunView): string {
  return run.storedStatus !== null && run.storedStatus !== run.status
    ? `${run.status} (${run.storedStatus})`
    : run.status;
}

/** Why a run failed or cannot be read, on one line; `''` for other runs. */
function problemText(run: RunView): string {
  if (run.readError) return terminalText(`${run.readError.code}: ${run.readError.message}`);
  if (run.status !== 'failed' || !run.record) return '';
  const { error, exitCode, signal } = run.record;
  const text =
    error ??
    (signal ? `killed by ${signal}` : typeof exitCode === 'number' ? `exit code ${exitCode}` : '');
  return terminalText(text);
}

function etaText(run: RunView, now: number): string {
  if (
    run.etaSeconds === null ||
    ['succeeded', 'failed', 'cancelled', 'outdated'].includes(run.status)
  )
    return UNKNOWN;
  const reportedAt = run.updatedAt === null ? now : Date.parse(run.updatedAt);
  return formatDuration(Math.max(0, run.etaSeconds - Math.max(0, now - reportedAt) / 1000));
}

function footer(summary: DashboardSummary, stylize: Stylize): string {
  const counts = COUNT_ORDER.filter(
    (status) => (summary.counts[status as keyof typeof summary.counts] ?? 0) > 0,
  ).map((status) =>
    stylize(
      STATUS_STYLES[status] ?? 'white',
      `${summary.counts[status as keyof typeof summary.counts]} ${status}`,
    ),
  );
  const parts = [`${summary.total} run${summary.total === 1 ? '' : 's'}`, ...counts];
  const overall = [
    summary.percent === null ? null : `overall ${Math.floor(summary.percent)}%`,
    summary.etaSeconds === null
      ? 'ETA unknown'
      : summary.etaSeconds === 0
        ? null
        : `ETA ${formatDuration(summary.etaSeconds)}`,
  ].filter((part): part is string => part !== null);
  return `${parts.join(', ')}${overall.length > 0 ? `  ·  ${stylize('bold', overall.join(' · '))}` : ''}`;
}
