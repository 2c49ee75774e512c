import type { ChildProcess } from 'node:child_process';
import { parseMarkerLine } from '../progress/marker-line.js';
import { OutputLineSplitter } from '../progress/output-line-splitter.js';
import {
  PROGRESS_SOURCES,
  type ProgressReport,
  type ProgressSource,
} from '../progress/progress-report.js';
import { parseTqdmLine } from '../progress/tqdm-line.js';
import type { OutputTail } from './output-tail.js';
import type { OutputStreamName, SupervisorOutput } from './supervisor-output.js';

const MAX_PROGRESS_WARNINGS = 20;
const OUTPUT_DRAIN_MS = 2000;

/** Settings of {@link teeJobOutput}. */
export interface OutputTeeOptions {
  /** Where the output goes (`run.log`, pass-through) and where notes go. */
  output: SupervisorOutput;
  /** Whether tqdm bars count (not when epoch folders do). */
  parseTqdm: boolean;
  /** A progress report read from the output. */
  report: (report: ProgressReport, source: ProgressSource) => void;
  /** Keeps the last lines that are not progress (markers, tqdm bars), for a failure's `errorTail`. */
  tail?: OutputTail;
}

/** A running tee; `finish()` once the job has exited. */
export interface OutputTee {
  /** Waits for the job's output to end (at most 2 s: a process outside the group may hold the pipes) and parses its last lines. */
  finish(): Promise<void>;
}

/**
 * Tees the job's stdout and stderr: each chunk goes to `run.log` (and the pass-through copy)
 * as it arrives, and each line (or `\r`-separated tqdm redraw) is read for progress: a
 * `##runboard` marker line, else a tqdm bar. Malformed markers are noted, the first 20. The
 * other lines go to `tail`, in memory.
 *
 * @example
 * const tail = new OutputTail();
 * const tee = teeJobOutput(child, { output, parseTqdm: true, report: (r, source) => recorder.report(r, source), tail });
 * await exited;
 * await tee.finish();
 * tail.lines(); // the job's last lines
 */
export function teeJobOutput(child: ChildProcess, options: OutputTeeOptions): OutputTee {
  const onSegment = progressLineReader(options);
  const splitters: OutputLineSplitter[] = [];
  const streamsClosed = Promise.all(
    (['stdout', 'stderr'] as const).map((name: OutputStreamName) => {
      const stream = child[name];
      const lines = new OutputLineSplitter(onSegment);
      splitters.push(lines);
      return new Promise<void>((resolve) => {
        if (!stream) return resolve();
        stream.on('data', (chunk: Buffer) => {
          options.output.job(name, chunk);
          lines.push(chunk);
        });
        stream.once('close', () => resolve());
        stream.once('error', () => resolve());
      });
    }),
  );
  return {
    async finish() {
      if ((await settlesWithin(streamsClosed, OUTPUT_DRAIN_MS)) === false) {
        child.stdout?.destroy();
        child.stderr?.destroy();
      }
      for (const lines of splitters) lines.end();
    },
  };
}

/**
 * Reads one output segment for progress: a marker line, else (when allowed) a tqdm bar. Any
 * other line goes to the tail (a bar never does, whether bars count or not).
 */
function progressLineReader(options: OutputTeeOptions): (segment: string) => void {
  let warnings = 0;
  return (segment) => {
    const marker = parseMarkerLine(segment);
    if (marker) {
      if (marker.ok) options.report(marker.report, PROGRESS_SOURCES.marker);
      else if (warnings < MAX_PROGRESS_WARNINGS) {
        warnings += 1;
        options.output.note(
          `ignored a progress line (${marker.problem})` +
            (warnings === MAX_PROGRESS_WARNINGS ? '; further ones are ignored silently' : ''),
        );
      }
      return;
    }
    const bar = options.parseTqdm || options.tail ? parseTqdmLine(segment) : undefined;
    if (!bar) options.tail?.push(segment);
    else if (options.parseTqdm) options.report(bar, PROGRESS_SOURCES.tqdm);
  };
}

/** Whether `promise` settled within `ms`. */
async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  const outcome = await Promise.race([promise.then(() => true), timedOut]);
  clearTimeout(timer);
  return outcome;
}
