import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { checkStringOption } from '@runboard/locking';
import { PlanError } from './plan-error.js';
import type { ResolvedPlan, ResolvePlanOptions } from './resolve-plan.js';
import { resolvePlan } from './resolve-plan.js';

export type LoadPlanOptions = Omit<ResolvePlanOptions, 'baseDir' | 'file'>;

/**
 * Reads, validates and resolves a plan file; relative paths in it start from its folder.
 *
 * @throws {PlanError} when the file cannot be read, is not JSON, or is not a valid plan
 *   (every problem by JSON path).
 * @example
 * const plan = await loadPlan('experiments/plan.json', { concurrency: 2 });
 */
export async function loadPlan(file: string, options: LoadPlanOptions = {}): Promise<ResolvedPlan> {
  checkStringOption('file', file);
  const path = resolve(file);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    throw new PlanError(path, [{ path: '(plan)', message: `cannot be read (${code})` }], {
      cause: error,
    });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new PlanError(
      path,
      [{ path: '(plan)', message: `is not valid JSON: ${describeJsonError(error, text)}` }],
      {
        cause: error,
      },
    );
  }
  return resolvePlan(value, { ...options, baseDir: dirname(path), file: path });
}

/** `Unexpected token } at line 3, column 5` from V8's message, which gives a character position. */
function describeJsonError(error: unknown, text: string): string {
  const message = error instanceof Error ? error.message : String(error);
  const position = /at position (\d+)/.exec(message);
  if (!position) return message;
  const before = text.slice(0, Number(position[1]));
  const line = before.split('\n').length;
  const column = before.length - before.lastIndexOf('\n');
  return `${message.replace(/ in JSON at position \d+.*$/, '')} at line ${line}, column ${column}`;
}
