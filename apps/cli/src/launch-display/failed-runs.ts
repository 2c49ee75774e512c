import type { RunRecord } from '@runboard/launcher';
import { errorTailLines, failureText } from '../runs/failure-text.js';
import { terminalText } from '../terminal/terminal-text.js';

/** A run that did not succeed, as the end of a launch names it. */
export interface FailedRun {
  id: string;
  attempt: number;
  /** Why, as the launch knew it. */
  error?: string | null;
  /** Its record, for the error in plain words and the last lines of its output. */
  record?: RunRecord | null;
}

/** Runs shown with their output's last lines; the rest are only named. */
const DETAILED_RUNS = 10;
const TAIL_LINES = 5;

/**
 * The lines after a launch's summary that name the runs that failed: each with why (the
 * record's `error`, such as `exited with code 127 (command not found)`) and the last lines of
 * its output (`errorTail`), then how to see the rest. `''` when none failed.
 *
 * @example
 * process.stdout.write(formatFailedRuns(failed, { root: plan.root }));
 */
export function formatFailedRuns(runs: readonly FailedRun[], options: { root: string }): string {
  if (runs.length === 0) return '';
  const lines = [`failed (${runs.length}):`];
  runs.forEach((run, index) => {
    const why = failureText(run.record) || terminalText(run.error ?? '');
    const attempt = run.attempt > 0 ? ` (attempt ${run.attempt})` : '';
    lines.push(`  ${terminalText(run.id)}${attempt}${why ? `: ${why}` : ''}`);
    if (index < DETAILED_RUNS)
      lines.push(...errorTailLines(run.record, { lines: TAIL_LINES, indent: '      ' }));
  });
  const example = terminalText(runs[0].id);
  lines.push(
    `the whole output: runboard logs ${example} --root ${terminalText(options.root)}` +
      (runs.length > 1
        ? `; all of them: runboard status --status failed --root ${terminalText(options.root)} -v`
        : ''),
  );
  return `${lines.join('\n')}\n`;
}
