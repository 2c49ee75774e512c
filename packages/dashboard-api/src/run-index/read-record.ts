import { JsonIoError, JsonNotFoundError, JsonValidationError, readJson } from '@runboard/json-io';
import { runRecordSchema } from '@runboard/launcher';
import type { RunRecord } from '@runboard/launcher';
import type { RunReadProblem } from './run-view.js';

export type RecordReadResult =
  | { kind: 'record'; record: RunRecord }
  | { kind: 'problem'; problem: RunReadProblem }
  | { kind: 'missing' };

/**
 * Reads and checks a `progress.json` with `readJson`'s retries (a foreign writer that
 * truncates in place is waited out until `deadlineMs`). Never throws.
 */
export async function readRecordFile(file: string, deadlineMs: number): Promise<RecordReadResult> {
  try {
    const record = await readJson(file, { validate: runRecordSchema, deadlineMs });
    return { kind: 'record', record };
  } catch (error) {
    if (error instanceof JsonNotFoundError) return { kind: 'missing' };
    return { kind: 'problem', problem: toProblem(error) };
  }
}

function toProblem(error: unknown): RunReadProblem {
  const at = new Date().toISOString();
  if (error instanceof JsonValidationError) {
    return {
      code: error.code,
      message: `${error.file} is not a valid run record: ${describeIssues(error.cause)}`,
      at,
    };
  }
  if (error instanceof JsonIoError)
    return { code: error.code, message: firstLine(error.message), at };
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return {
    code: typeof code === 'string' ? code : 'RUNBOARD_READ_FAILED',
    message: firstLine(error instanceof Error ? error.message : String(error)),
    at,
  };
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
