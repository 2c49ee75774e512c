import type { DashboardSummary, RunView } from '@runboard/dashboard-api';
import { errorTailLines } from '../runs/failure-text.js';
import type { Stylize } from '../terminal/terminal-style.js';
import {
  cutEnd,
  cutStart,
  formatDuration,
  padEnd,
  padStart,
  UNKNOWN,
} from '../terminal/terminal-text.js';
import { BAR_WIDTH, STATUS_STYLES, statusCells } from './status-cells.js';
import type { StatusCells } from './status-cells.js';

export interface StatusTableOptions {
  /** The clock, ms since the epoch. */
  now: number;
  stylize: Stylize;
  /** Terminal width; ids are shortened to fit. `undefined` (a pipe): ids are never shortened. */
  columns?: number;
  /** Under each failed run, the last lines of its output (`errorTail`) too. */
  verbose?: boolean;
  /** Runs under the root, when `runs` are only those a filter selected (the footer says so). */
  totalRuns?: number;
}

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

/** A REASON wider than this is cut on a terminal. */
const MAX_REASON_WIDTH = 40;

interface Column {
  header: string;
  align: 'left' | 'right';
  cell: (cells: StatusCells) => string;
}

/** Columns beside PROGRESS; all but ETA and UPDATED only when a run has something to show. */
const COLUMNS: Record<'attempt' | 'eta' | 'runtime' | 'where' | 'reason' | 'updated', Column> = {
  attempt: { header: 'ATTEMPT', align: 'right', cell: (cells) => cells.attempt },
  eta: { header: 'ETA', align: 'right', cell: (cells) => cells.eta },
  runtime: { header: 'RUNTIME', align: 'right', cell: (cells) => cells.runtime },
  where: { header: 'WHERE', align: 'left', cell: (cells) => cells.where },
  reason: { header: 'REASON', align: 'left', cell: (cells) => cells.reason },
  updated: { header: 'UPDATED', align: 'right', cell: (cells) => cells.updated },
};

/**
 * The terminal table of `runboard status`: one line per run — id, status (with the stored one
 * when a derived state overrides it), attempt, progress bar with percent and steps, ETA,
 * runtime, where it runs (server or host, GPUs), why a queued run waits (like `squeue`'s
 * REASON) and the age of the last update — the error of a failed run under its line, and a
 * footer with the counts, overall percent and ETA.
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
  if (runs.length === 0) {
    const none =
      options.totalRuns !== undefined && options.totalRuns > 0
        ? `No runs match (${options.totalRuns} under the root).`
        : 'No runs yet.';
    return `${stylize('dim', none)}\n`;
  }
  const rows = runs.map((run) => ({ run, cells: statusCells(run, now) }));
  const has = (pick: (cells: StatusCells) => string, when = (text: string) => text !== '') =>
    rows.some((row) => when(pick(row.cells)));
  if (options.columns !== undefined)
    for (const row of rows) row.cells.reason = cutEnd(row.cells.reason, MAX_REASON_WIDTH);

  const before = has(
    (cells) => cells.attempt,
    (text) => text !== '' && text !== '1',
  )
    ? [COLUMNS.attempt]
    : [];
  const after = [
    COLUMNS.eta,
    ...(has(
      (cells) => cells.runtime,
      (text) => text !== UNKNOWN,
    )
      ? [COLUMNS.runtime]
      : []),
    ...(whereMatters(runs) ? [COLUMNS.where] : []),
    ...(has((cells) => cells.reason) ? [COLUMNS.reason] : []),
    COLUMNS.updated,
  ];
  const width = (column: Column) =>
    Math.max(column.header.length, ...rows.map((row) => [...column.cell(row.cells)].length));
  const pad = (column: Column, text: string) =>
    column.align === 'left' ? padEnd(text, width(column)) : padStart(text, width(column));

  const statusWidth = Math.max(6, ...rows.map((row) => row.cells.status.length));
  const stepsWidth = Math.max(0, ...rows.map((row) => row.cells.steps.length));
  const progressWidth = BAR_WIDTH + 5 + (stepsWidth > 0 ? stepsWidth + 2 : 0);
  const sideColumns = [...before, ...after];
  const fixedWidth =
    statusWidth + progressWidth + sideColumns.reduce((sum, column) => sum + width(column) + 2, 4);
  const longestId = Math.max(3, ...rows.map((row) => row.cells.id.length));
  const idWidth =
    options.columns === undefined
      ? longestId
      : Math.min(longestId, Math.max(16, options.columns - 1 - fixedWidth));

  const header = [
    padEnd('RUN', idWidth),
    padEnd('STATUS', statusWidth),
    ...before.map((column) => pad(column, column.header)),
    padEnd('PROGRESS', progressWidth),
    ...after.map((column) => pad(column, column.header)),
  ].join('  ');
  const lines = [stylize('dim', header.trimEnd())];
  const problemWidth = options.columns === undefined ? Infinity : Math.max(20, options.columns - 5);
  for (const { run, cells } of rows) {
    const bar =
      stylize(cells.statusStyle, cells.filled) +
      stylize('dim', '░'.repeat(BAR_WIDTH - [...cells.filled].length));
    const progress = `${bar} ${padStart(cells.percent, 4)}${stepsWidth > 0 ? `  ${padEnd(cells.steps, stepsWidth)}` : ''}`;
    lines.push(
      [
        padEnd(cutStart(cells.id, idWidth), idWidth),
        stylize(cells.statusStyle, padEnd(cells.status, statusWidth)),
        ...before.map((column) => pad(column, column.cell(cells))),
        progress,
        ...after.map((column) =>
          column === COLUMNS.updated
            ? stylize('dim', pad(column, cells.updated))
            : pad(column, column.cell(cells)),
        ),
      ]
        .join('  ')
        .trimEnd(),
    );
    if (cells.problem) lines.push(stylize('red', `  ↳ ${cutEnd(cells.problem, problemWidth)}`));
    if (options.verbose && run.status === 'failed') {
      for (const line of errorTailLines(run.record, { indent: '    ' }))
        lines.push(stylize('dim', cutEnd(line, problemWidth)));
    }
  }
  lines.push('', footer(summary, stylize));
  if (options.totalRuns !== undefined && options.totalRuns !== runs.length)
    lines.push(stylize('dim', `(${runs.length} of ${options.totalRuns} runs shown)`));
  return `${lines.join('\n')}\n`;
}

/** WHERE says something when runs have GPUs or Slurm jobs, or ran on more than one machine. */
function whereMatters(runs: readonly RunView[]): boolean {
  const records = runs.flatMap((run) =>
    run.record && run.record.status !== 'queued' ? [run.record] : [],
  );
  return (
    records.some((record) => (record.gpus?.length ?? 0) > 0 || record.executor?.jobId) ||
    new Set(records.map((record) => record.server ?? record.host ?? '')).size > 1
  );
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
