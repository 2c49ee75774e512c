import type { PlanProblem } from './plan-problem.js';

/** A plan that cannot be read or is invalid; `problems` lists every problem found by JSON path. */
export class PlanError extends Error {
  override readonly name = 'PlanError';
  readonly code = 'RUNBOARD_INVALID_PLAN';
  constructor(
    /** The plan file, or `(plan)` for a plan given as a value. */
    readonly file: string,
    readonly problems: readonly PlanProblem[],
    options?: ErrorOptions,
  ) {
    const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
    super(
      `Invalid plan ${file} (${count}):\n${problems.map((problem) => `  ${problem.path}: ${problem.message}`).join('\n')}`,
      options,
    );
  }
}
