import type { RunRecord } from '@runboard/launcher';
import { terminalText } from '../terminal/terminal-text.js';

/** Lines of a failed run's `errorTail` shown by default (the record keeps up to 20). */
export const DEFAULT_ERROR_TAIL_LINES = 5;

/**
 * Why a run failed, on one line: its `error` (plain words such as `exited with code 127
 * (command not found)`), else its exit code or signal; `''` when the record says nothing.
 *
 * @example
 * failureText(record); // 'exited with code 3'
 */
export function failureText(
  record: Pick<RunRecord, 'error' | 'exitCode' | 'signal'> | null | undefined,
): string {
  if (!record) return '';
  const { error, exitCode, signal } = record;
  const text =
    error ??
    (signal ? `killed by ${signal}` : typeof exitCode === 'number' ? `exit code ${exitCode}` : '');
  return terminalText(text);
}

/**
 * The last `lines` lines of a failed run's output (`errorTail`), each made safe to print and
 * indented by `indent`; blank lines at the ends dropped. `[]` when the record has none.
 *
 * @example
 * errorTailLines(record, { lines: 3, indent: '    ' }); // ['    File "train.py", line 9', '    KeyError: lr']
 */
export function errorTailLines(
  record: Pick<RunRecord, 'errorTail'> | null | undefined,
  options: { lines?: number; indent?: string } = {},
): string[] {
  const tail = (record?.errorTail ?? []).map(safeLine);
  while (tail.length > 0 && tail[0] === '') tail.shift();
  while (tail.length > 0 && tail[tail.length - 1] === '') tail.pop();
  const count = options.lines ?? DEFAULT_ERROR_TAIL_LINES;
  return tail
    .slice(Math.max(0, tail.length - count))
    .map((line) => `${options.indent ?? ''}${line}`);
}

/** One output line made safe to print, its indentation kept (a traceback's nesting). */
function safeLine(line: string): string {
  const indent = /^[ \t]*/.exec(line)![0].replace(/\t/g, '    ');
  const text = terminalText(line);
  return text === '' ? '' : indent + text;
}
