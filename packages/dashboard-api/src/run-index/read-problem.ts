import { JsonIoError, JsonValidationError } from '@runboard/json-io';
import type { RunReadProblem } from './run-view.js';

/**
 * Why a run's `progress.json` (`file`) could not be read, as the dashboard shows it: the error's
 * stable code (json-io's, or the errno code) and one line naming the file, at time `now`.
 *
 * @example
 * readProblemOf(file, new JsonParseError(…), Date.now()); // { code: 'RUNBOARD_JSON_PARSE', message: '…', at: '…' }
 */
export function readProblemOf(file: string, error: unknown, now: number): RunReadProblem {
  const at = new Date(now).toISOString();
  if (error instanceof JsonValidationError) {
    return {
      code: error.code,
      message: `${error.file} is not a valid run record: ${describeIssues(error.cause)}`,
      at,
    };
  }
  if (error instanceof JsonIoError)
    return { code: error.code, message: firstLine(error.message), at };
  const errno = (error as NodeJS.ErrnoException | undefined)?.code;
  const code = typeof errno === 'string' ? errno : 'RUNBOARD_READ_FAILED';
  return { code, message: `Cannot read ${file} (${code})`, at };
}

function firstLine(text: string): string {
  const line = text.split('\n', 1)[0] ?? '';
  return line.length > 500 ? `${line.slice(0, 497)}...` : line;
}

/** A short text of a schema's issues (zod's `issues`: `path` and `message`), at most three. */
function describeIssues(cause: unknown): string {
  const issues = (cause as { issues?: unknown } | undefined)?.issues;
  if (!Array.isArray(issues) || issues.length === 0) {
    return firstLine(cause instanceof Error ? cause.message : String(cause));
  }
  const described = issues.slice(0, 3).map((issue: { path?: unknown[]; message?: unknown }) => {
    const path =
      Array.isArray(issue.path) && issue.path.length > 0 ? issue.path.join('.') : '(record)';
    return `${path}: ${String(issue.message)}`;
  });
  if (issues.length > 3) described.push(`and ${issues.length - 3} more`);
  return described.join('; ');
}
