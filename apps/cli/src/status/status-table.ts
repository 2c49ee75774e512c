import type { DashboardSummary, RunView } from '@runboard/dashboard-api';
import type { Stylize, TextStyle } from './terminal-style.js';

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
const PARTIAL_BLOCKS = ['', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];
const ELLIPSIS = '…';

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
    id: run.id,
    status: statusText(run),
    statusStyle: STATUS_STYLES[run.status] ?? 'white',
    bar: progressBar(run.percent),
    percent: run.percent === null ? '—' : `${Math.floor(run.percent)}%`,
    steps: stepsText(run),
    eta: etaText(run, now),
    updated: run.updatedAt === null ? '—' : ageText(now - Date.parse(run.updatedAt)),
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
    pad('RUN', idWidth),
    pad('STATUS', statusWidth),
    pad('PROGRESS', BAR_WIDTH + 5 + (stepsWidth > 0 ? stepsWidth + 2 : 0)),
    padStart('ETA', etaWidth),
    padStart('UPDATED', updatedWidth),
  ].join('  ');
  const lines = [stylize('dim', header.trimEnd())];
  for (const row of rows) {
    const filled = row.bar.filled;
    const bar =
      stylize(row.statusStyle, filled) + stylize('dim', '░'.repeat(BAR_WIDTH - [...filled].length));
    const progress = `${bar} ${padStart(row.percent, 4)}${stepsWidth > 0 ? `  ${pad(row.steps, stepsWidth)}` : ''}`;
    lines.push(
      [
        pad(shortenId(row.id, idWidth), idWidth),
        stylize(row.statusStyle, pad(row.status, statusWidth)),
        progress,
        padStart(row.eta, etaWidth),
        stylize('dim', padStart(row.updated, updatedWidth)),
      ]
        .join('  ')
        .trimEnd(),
    );
    if (row.problem) {
      const limit = options.columns === undefined ? Infinity : Math.max(20, options.columns - 4);
      const text =
        row.problem.length > limit ? `${row.problem.slice(0, limit - 1)}${ELLIPSIS}` : row.problem;
      lines.push(stylize('red', `  ↳ ${text}`));
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
  if (run.readError) return `${run.readError.code}: ${run.readError.message}`;
  if (run.status !== 'failed' || !run.record) return '';
  const { error, exitCode, signal } = run.record;
  const text =
    error ??
    (signal ? `killed by ${signal}` : typeof exitCode === 'number' ? `exit code ${exitCode}` : '');
  return text.replace(/\s+/g, ' ').trim();
}

function progressBar(percent: number | null): { filled: string } {
  if (percent === null) return { filled: '' };
  const eighths = Math.round((Math.min(100, Math.max(0, percent)) / 100) * BAR_WIDTH * 8);
  return { filled: '█'.repeat(Math.floor(eighths / 8)) + PARTIAL_BLOCKS[eighths % 8] };
}

function stepsText(run: RunView): string {
  const progress = run.record?.progress;
  if (!progress) return '';
  const unit = progress.unit ? ` ${progress.unit}` : '';
  const current = formatCount(progress.current);
  return typeof progress.total === 'number'
    ? `${current}/${formatCount(progress.total)}${unit}`
    : `${current}${unit}`;
}

function etaText(run: RunView, now: number): string {
  if (
    run.etaSeconds === null ||
    ['succeeded', 'failed', 'cancelled', 'outdated'].includes(run.status)
  )
    return '—';
  const reportedAt = run.updatedAt === null ? now : Date.parse(run.updatedAt);
  return durationText(Math.max(0, run.etaSeconds - Math.max(0, now - reportedAt) / 1000));
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
        : `ETA ${durationText(summary.etaSeconds)}`,
  ].filter((part): part is string => part !== null);
  return `${parts.join(', ')}${overall.length > 0 ? `  ·  ${stylize('bold', overall.join(' · '))}` : ''}`;
}

/**
 * A duration in its two largest units: `42s`, `3m 05s`, `2h 10m`, `3d 4h`.
 *
 * @example
 * durationText(3725); // '1h 02m'
 */
export function durationText(seconds: number): string {
  const total = Math.max(0, Math.round(seconds));
  const days = Math.floor(total / 86_400);
  const hours = Math.floor((total % 86_400) / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const secs = total % 60;
  if (days > 0) return `${days}d ${hours}h`;
  if (hours > 0) return `${hours}h ${String(minutes).padStart(2, '0')}m`;
  if (minutes > 0) return `${minutes}m ${String(secs).padStart(2, '0')}s`;
  return `${secs}s`;
}

/**
 * How long ago, short: `now`, `12s ago`, `5m ago`, `3h ago`, `2d ago`.
 *
 * @example
 * ageText(90_000); // '1m ago'
 */
export function ageText(ms: number): string {
  if (!Number.isFinite(ms)) return '—';
  const seconds = Math.max(0, Math.floor(ms / 1000));
  if (seconds < 2) return 'now';
  if (seconds < 60) return `${seconds}s ago`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m ago`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)}h ago`;
  return `${Math.floor(seconds / 86_400)}d ago`;
}

/** Shortens an id to `width` characters by dropping its start, which the folder groups share. */
function shortenId(id: string, width: number): string {
  return id.length <= width ? id : ELLIPSIS + id.slice(id.length - width + 1);
}

function formatCount(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(1);
}

function pad(text: string, width: number): string {
  return text + ' '.repeat(Math.max(0, width - [...text].length));
}

function padStart(text: string, width: number): string {
  return ' '.repeat(Math.max(0, width - [...text].length)) + text;
}
