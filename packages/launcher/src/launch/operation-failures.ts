import { backoffDelay } from '@runboard/locking';
import type { LaunchEvent } from './launch-events.js';

/** A spell of failed operations on one run, all for the same condition (error code and file). */
export interface FailureSpell {
  /** `code file`: what makes two failures the same condition. */
  key: string;
  code: string | null;
  file: string | null;
  message: string;
  /** Failures so far in this spell. */
  failures: number;
}

/** The condition of a failed operation: the errno code (json-io's `systemCode` first) and file. */
export function failureCondition(error: unknown): Omit<FailureSpell, 'failures'> {
  const { systemCode, code, file, path } = (error ?? {}) as Record<string, unknown>;
  const errno =
    typeof systemCode === 'string' ? systemCode : typeof code === 'string' ? code : null;
  const where = typeof file === 'string' ? file : typeof path === 'string' ? path : null;
  const message = error instanceof Error ? error.message : String(error);
  return { key: `${errno ?? message} ${where ?? ''}`, code: errno, file: where, message };
}

/**
 * Turns a run's stream of operation failures into few warnings: the first failure of a
 * condition is a warning event, repeats only count, and the next success (or another
 * condition) says the condition cleared after how many failures. A full disk that fails a
 * run's writes ten times a second so says it twice, not ten times a second.
 *
 * @example
 * const failures = new FailureLog((event) => reporter.event(event));
 * failures.failed('a', error); // warning, code ENOSPC
 * failures.failed('a', error); // (counted)
 * failures.succeeded('a'); // warning: cleared after 2 failures
 */
export class FailureLog {
  readonly #spells = new Map<string, FailureSpell>();
  readonly #emit: (event: Extract<LaunchEvent, { type: 'warning' }>) => void;

  constructor(emit: (event: Extract<LaunchEvent, { type: 'warning' }>) => void) {
    this.#emit = emit;
  }

  /** Records a failure of an operation on run `runId`; returns how many in a row so far. */
  failed(runId: string, error: unknown): number {
    const condition = failureCondition(error);
    const spell = this.#spells.get(runId);
    if (spell?.key === condition.key) {
      spell.failures++;
      return spell.failures;
    }
    if (spell) this.#cleared(runId, spell);
    this.#spells.set(runId, { ...condition, failures: 1 });
    this.#emit({
      type: 'warning',
      runId,
      message: condition.message,
      code: condition.code,
      file: condition.file,
    });
    return 1;
  }

  /** An operation on run `runId` went through: a spell of failures is over. */
  succeeded(runId: string): void {
    const spell = this.#spells.get(runId);
    if (spell) this.#cleared(runId, spell);
  }

  /** How long a run waits before it is tried again after `failures` failures in a row. */
  static retryDelayMs(failures: number): number {
    return backoffDelay(Math.max(0, failures - 1), { firstMs: 100, maxMs: 5000 });
  }

  #cleared(runId: string, spell: FailureSpell): void {
    this.#spells.delete(runId);
    this.#emit({
      type: 'warning',
      runId,
      message: `cleared after ${spell.failures} ${spell.failures === 1 ? 'failure' : 'failures'}: ${spell.message}`,
      code: spell.code,
      file: spell.file,
      failures: spell.failures,
      cleared: true,
    });
  }
}
