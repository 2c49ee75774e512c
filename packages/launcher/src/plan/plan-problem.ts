import type { z } from 'zod';

/** One thing wrong with a plan, located by its JSON path (`runs[3].command`). */
export interface PlanProblem {
  path: string;
  message: string;
}

/**
 * A JSON path in the plan's notation: `runs[3].command`, `env["MY-VAR"]`; `(plan)` for the
 * whole document.
 *
 * @example
 * formatPlanPath(['runs', 3, 'command']); // 'runs[3].command'
 */
export function formatPlanPath(path: readonly PropertyKey[]): string {
  let text = '';
  for (const key of path) {
    if (typeof key === 'number') text += `[${key}]`;
    else if (typeof key === 'string' && /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key))
      text += text ? `.${key}` : key;
    else text += `[${JSON.stringify(String(key))}]`;
  }
  return text || '(plan)';
}

/**
 * The problems of a failed zod parse, one per issue, in plan path notation.
 *
 * @example
 * problemsFromZodIssues(planSchema.safeParse(value).error!.issues);
 * // [{ path: 'runs[3].command', message: 'expected array or string' }]
 */
export function problemsFromZodIssues(
  issues: readonly z.core.$ZodIssue[],
  prefix: readonly PropertyKey[] = [],
): PlanProblem[] {
  const problems: PlanProblem[] = [];
  for (const issue of issues) {
    const path = [...prefix, ...issue.path];
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys)
        problems.push({ path: formatPlanPath([...path, key]), message: 'unknown key' });
      continue;
    }
    if (issue.code === 'invalid_union') {
      // Report the branch the value was meant for (right type, wrong content), e.g. an argv
      // array with a number in it, rather than "expected array or string".
      const meant = issue.errors.filter(
        (branch) =>
          !branch.some((inner) => inner.code === 'invalid_type' && inner.path.length === 0),
      );
      if (meant.length === 1) {
        problems.push(...problemsFromZodIssues(meant[0], path));
        continue;
      }
    }
    if (issue.code === 'invalid_key' && issue.issues.length > 0) {
      problems.push({
        path: formatPlanPath(path),
        message: `invalid key: ${plainMessage(issue.issues[0].message)}`,
      });
      continue;
    }
    problems.push({ path: formatPlanPath(path), message: plainMessage(issue.message) });
  }
  return problems;
}

/** zod's message without its "Invalid input: " prefix, starting in lower case like the rest. */
function plainMessage(message: string): string {
  const text = message.replace(/^Invalid input: /, '');
  return text.charAt(0).toLowerCase() + text.slice(1);
}
