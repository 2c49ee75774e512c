import { PlanError } from '../src/plan/plan-error.js';
import { resolvePlan, type ResolvePlanOptions } from '../src/plan/resolve-plan.js';

/** The options the plan tests resolve with: a plan file `/work/exp/plan.json`. */
export const PLAN_BASE: ResolvePlanOptions = { baseDir: '/work/exp', file: '/work/exp/plan.json' };

/**
 * The problems `resolvePlan` finds in `plan`, each as `path: message`; throws when the plan is
 * valid (a test expecting problems must not pass on a valid plan).
 *
 * @example
 * expect(planProblems({ runs: [] })).toEqual(['runs: the plan has no runs (add runs or sweeps)']);
 */
export function planProblems(plan: unknown, options: ResolvePlanOptions = PLAN_BASE): string[] {
  try {
    resolvePlan(plan, options);
  } catch (error) {
    if (error instanceof PlanError)
      return error.problems.map((problem) => `${problem.path}: ${problem.message}`);
    throw error;
  }
  throw new Error('expected the plan to be invalid');
}
