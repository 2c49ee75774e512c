import { stripVTControlCharacters } from 'node:util';
import type { LaunchEvent, LaunchReporter, LaunchSnapshot, RunSnapshot } from '@runboard/launcher';
import { shouldColor, stylizer } from '../terminal/terminal-style.js';
import type { Stylize, TextStyle } from '../terminal/terminal-style.js';
import * as term from '../terminal/terminal-text.js';
import { describeEvent, describeSummary } from './launch-lines.js';
import { LaunchTally, overallProgress, progressText } from './launch-progress.js';

export interface TtyReporterOptions {
  /** Colours (default: as {@link shouldColor} says for the stream). */
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
  const paint = stylizer(options.color ?? shouldColor(stream));
  let drawnLines = 0;
  let closed = false;
  const tally = new LaunchTally();
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
      tally,
    });
    stream.write(lines.map((line) => `${line}\n`).join(''));
    drawnLines = lines.length;
  };

  return {
    tickMs: options.tickMs ?? 200,
    event(event, snapshot) {
      if (closed) return;
      tally.observe(event);
      const line = describeEvent(event, snapshot);
      erase();
      if (line !== undefined) {
        const style = eventStyle(event);
        stream.write(`${style ? paint(style, line) : line}\n`);
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

function eventStyle(event: LaunchEvent): TextStyle | undefined {
  if (event.type === 'finished') return event.outcome === 'succeeded' ? 'green' : 'red';
  if (
    event.type === 'lost' ||
    event.type === 'blocked' ||
    event.type === 'warning' ||
    event.type === 'skipped'
  )
    return 'yellow';
  return undefined;
}

export interface RenderOptions {
  columns: number;
  rows: number;
  paint?: Stylize;
  /** What the launch's events told so far (for the overall progress and ETA). */
  tally?: LaunchTally;
}

/**
 * The live block: a line per active run (as many as fit) and the overall line. Lines never
 * reach the last column, so the terminal does not wrap them and the redraw stays in place.
 *
 * @example
 * renderLiveBlock(snapshot, { columns: 100, rows: 30 }).join('\n');
 */
export function renderLiveBlock(snapshot: LaunchSnapshot, options: RenderOptions): string[] {
  const paint = options.paint ?? ((_style, text) => text);
  const width = Math.max(20, options.columns - 1);
  const room = Math.max(1, options.rows - 4);
  const active = [...snapshot.active].sort((a, b) => a.id.localeCompare(b.id));
  const shown = active.length > room ? active.slice(0, room - 1) : active;
  const lines = shown.map((run) => term.cutEnd(renderRunLine(run, snapshot.now), width));
  if (shown.length < active.length)
    lines.push(`  … and ${active.length - shown.length} more running`);

  const progress = overallProgress(snapshot, options.tally);
  const finished = snapshot.succeeded + snapshot.failed + snapshot.cancelled;
  const parts = [`${finished}/${snapshot.total} done`, `${snapshot.active.length} running`];
  if (snapshot.pending > 0) parts.push(`${snapshot.pending} waiting`);
  if (snapshot.failed > 0) parts.push(paint('red', `${snapshot.failed} failed`));
  if (snapshot.cancelled > 0) parts.push(`${snapshot.cancelled} cancelled`);
  parts.push(`elapsed ${term.formatDuration((snapshot.now - snapshot.startedAt) / 1000)}`);
  const eta = progress.etaSeconds;
  parts.push(`ETA ${eta === undefined ? term.UNKNOWN : term.formatDuration(eta)}`);
  const percent = progressText(progress);
  const overall = `${paint('bold', 'overall')} ${bar(progress.fraction ?? 0)} ${term.padStart(percent, 4)}  ${parts.join(' · ')}`;
  // Coloured: cut what shows, and give up the colours only when it must be cut.
  const plain = stripVTControlCharacters(overall);
  lines.push([...plain].length <= width ? overall : term.cutEnd(plain, width));
  return lines;
}

/** One active run, made of text its job reported: everything but the bar is made safe. */
function renderRunLine(run: RunSnapshot, now: number): string {
  const progress = run.progress;
  const percent = progress?.percent ?? null;
  const id = term.terminalText(run.id);
  const gpu = run.gpus.length > 0 ? `  GPU ${run.gpus.join(',')}` : '';
  const attempt = run.attempt > 1 ? `  attempt ${run.attempt}` : '';
  if (run.phase !== 'running')
    return `  ${bar(0)}  ${term.padEnd(run.phase, 4)} ${id}${gpu}${attempt}`;
  const started = Date.parse(run.startedAt ?? '');
  const elapsed = Number.isNaN(started) ? '' : `  ${term.formatDuration((now - started) / 1000)}`;
  if (percent === null) {
    const count = progress
      ? `  ${term.stepsText({ current: progress.current, unit: progress.unit })}`
      : '';
    return `  ▕${'·'.repeat(BAR_WIDTH)}▏ ${term.padStart(term.UNKNOWN, 4)}  ${id}${count}${elapsed}${gpu}${attempt}`;
  }
  const count = progress?.total ? `  ${term.stepsText(progress)}` : '';
  const eta =
    progress?.etaSeconds != null ? `  ETA ${term.formatDuration(progress.etaSeconds)}` : '';
  return `  ${bar(percent / 100)} ${term.padStart(term.percentText(percent), 4)}  ${id}${count}${eta}${elapsed}${gpu}${attempt}`;
}

function bar(fraction: number): string {
  return `▕${term.padEnd(term.barFill(fraction, BAR_WIDTH), BAR_WIDTH)}▏`;
}
