import { styleText } from 'node:util';
import type { LaunchEvent, LaunchReporter, LaunchSnapshot, RunSnapshot } from '../launch-events.js';
import {
  describeEvent,
  describeSummary,
  formatDuration,
  overallProgress,
  progressBar,
} from './format.js';

export interface TtyReporterOptions {
  /** Colors (default: on unless `NO_COLOR` is set). */
  color?: boolean;
  /** Redraw interval in ms (default 200). */
  tickMs?: number;
}

const BAR_WIDTH = 20;

/**
 * The live display for a terminal: event lines scroll above a block that is redrawn in place —
 * one bar per active run (percent, current/total, ETA, GPUs) and an overall bar with ETA.
 *
 * @example
 * const reporter = process.stdout.isTTY ? createTtyReporter(process.stdout) : createPlainReporter(process.stdout);
 */
export function createTtyReporter(
  stream: NodeJS.WriteStream,
  options: TtyReporterOptions = {},
): LaunchReporter {
  const color = options.color ?? !process.env.NO_COLOR;
  const paint = (format: Parameters<typeof styleText>[0], text: string) =>
    color ? styleText(format, text) : text;
  let drawnLines = 0;
  let closed = false;
  const showCursor = () => stream.write('\x1b[?25h');
  process.once('exit', showCursor);
  stream.write('\x1b[?25l');

  const erase = () => {
    if (drawnLines > 0) stream.write(`\x1b[${drawnLines}F\x1b[0J`);
    drawnLines = 0;
  };
  const draw = (snapshot: LaunchSnapshot) => {
    const lines = renderLiveBlock(snapshot, {
      columns: stream.columns || 100,
      rows: stream.rows || 30,
      paint,
    });
    stream.write(lines.map((line) => `${line}\n`).join(''));
    drawnLines = lines.length;
  };
  const eventColor = (event: LaunchEvent): Parameters<typeof styleText>[0] | undefined => {
    if (event.type === 'finished') return event.outcome === 'succeeded' ? 'green' : 'red';
    if (event.type === 'lost' || event.type === 'blocked' || event.type === 'warning')
      return 'yellow';
    return undefined;
  };

  return {
    tickMs: options.tickMs ?? 200,
    event(event, snapshot) {
      if (closed) return;
      const line = describeEvent(event, snapshot);
      erase();
      if (line !== undefined) {
        const format = eventColor(event);
        stream.write(`${format ? paint(format, line) : line}\n`);
      }
      draw(snapshot);
    },
    tick(snapshot) {
      if (closed) return;
      erase();
      draw(snapshot);
    },
    close(snapshot) {
      if (closed) return;
      closed = true;
      erase();
      draw(snapshot);
      stream.write(`${describeSummary(snapshot)}\n`);
      showCursor();
      process.removeListener('exit', showCursor);
    },
  };
}

export interface RenderOptions {
  columns: number;
  rows: number;
  paint?: (format: Parameters<typeof styleText>[0], text: string) => string;
}

/**
 * The live block: a line per active run (as many as fit) and the overall line. Lines never
 * reach the last column, so the terminal does not wrap them and the redraw stays in place.
 *
 * @example
 * renderLiveBlock(snapshot, { columns: 100, rows: 30 }).join('\n');
 */
export function renderLiveBlock(snapshot: LaunchSnapshot, options: RenderOptions): string[] {
  const paint = options.paint ?? ((_format, text) => text);
  const width = Math.max(20, options.columns - 1);
  const room = Math.max(1, options.rows - 4);
  const active = [...snapshot.active].sort((a, b) => a.id.localeCompare(b.id));
  const shown = active.length > room ? active.slice(0, room - 1) : active;
  const lines = shown.map((run) => truncate(renderRunLine(run, snapshot.now), width));
  if (shown.length < active.length)
    lines.push(`  … and ${active.length - shown.length} more running`);

  const { fraction, etaSeconds } = overallProgress(snapshot);
  const finished = snapshot.succeeded + snapshot.failed + snapshot.cancelled;
  const parts = [`${finished}/${snapshot.total} done`, `${snapshot.active.length} running`];
  if (snapshot.pending > 0) parts.push(`${snapshot.pending} waiting`);
  if (snapshot.failed > 0) parts.push(paint('red', `${snapshot.failed} failed`));
  if (snapshot.cancelled > 0) parts.push(`${snapshot.cancelled} cancelled`);
  parts.push(`elapsed ${formatDuration((snapshot.now - snapshot.startedAt) / 1000)}`);
  parts.push(`ETA ${etaSeconds === undefined ? '--' : formatDuration(etaSeconds)}`);
  const overall = `${paint('bold', 'overall')} ▕${progressBar(fraction, BAR_WIDTH)}▏ ${String(Math.floor(fraction * 100)).padStart(3)}%  ${parts.join(' · ')}`;
  lines.push(truncate(overall, width + (overall.length - stripAnsi(overall).length)));
  return lines;
}

function renderRunLine(run: RunSnapshot, now: number): string {
  const progress = run.progress;
  const percent = progress?.percent ?? undefined;
  const gpu = run.gpus.length > 0 ? `  GPU ${run.gpus.join(',')}` : '';
  const attempt = run.attempt > 1 ? `  attempt ${run.attempt}` : '';
  if (run.phase !== 'running')
    return `  ▕${' '.repeat(BAR_WIDTH)}▏  ${run.phase.padEnd(4)} ${run.id}${gpu}${attempt}`;
  const started = Date.parse(run.startedAt ?? '');
  const elapsed = Number.isNaN(started) ? '' : `  ${formatDuration((now - started) / 1000)}`;
  if (percent === undefined || percent === null) {
    const count = progress
      ? `  ${progress.current}${progress.unit ? ` ${progress.unit}` : ''}`
      : '';
    return `  ▕${'·'.repeat(BAR_WIDTH)}▏   --  ${run.id}${count}${elapsed}${gpu}${attempt}`;
  }
  const count = progress?.total
    ? `  ${progress.current}/${progress.total}${progress.unit ? ` ${progress.unit}` : ''}`
    : '';
  const eta = progress?.etaSeconds != null ? `  ETA ${formatDuration(progress.etaSeconds)}` : '';
  return `  ▕${progressBar(percent / 100, BAR_WIDTH)}▏ ${String(Math.floor(percent)).padStart(3)}%  ${run.id}${count}${eta}${elapsed}${gpu}${attempt}`;
}

function truncate(line: string, width: number, visibleLength = stripAnsi(line).length): string {
  if (visibleLength <= width) return line;
  return `${stripAnsi(line).slice(0, Math.max(0, width - 1))}…`;
}

function stripAnsi(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\x1b\[[0-9;]*m/g, '');
}
