import type { PlanProblem } from './plan-problem.js';

interface DependencyNode {
  id: string;
  dependsOn?: readonly string[];
  /** JSON path of the plan entry, for messages. */
  sourcePath: string;
}

/**
 * Checks `dependsOn` of every run: unknown ids and cycles (a run depending on itself
 * included) become problems. Each cycle is reported once, at the first run of it in plan order.
 *
 * @example
 * const problems: PlanProblem[] = [];
 * checkDependencies([{ id: 'a', dependsOn: ['b'], sourcePath: 'runs[0]' }, { id: 'b', dependsOn: ['a'], sourcePath: 'runs[1]' }], problems);
 * // problems: [{ path: 'runs[0].dependsOn', message: 'dependency cycle: a → b → a' }]
 */
export function checkDependencies(
  runs: readonly DependencyNode[],
  problems: PlanProblem[],
  /** For a plan with invalid entries: whether an id not among `runs` may still exist. */
  mayExist: (id: string) => boolean = () => false,
): void {
  const byId = new Map(runs.map((run) => [run.id, run]));
  for (const run of runs) {
    run.dependsOn?.forEach((dependency, position) => {
      if (!byId.has(dependency) && !mayExist(dependency)) {
        problems.push({
          path: `${run.sourcePath}.dependsOn[${position}]`,
          message: `unknown run id "${dependency}" (in ${run.id})`,
        });
      }
    });
  }

  // Iterative depth-first search (sweeps can chain thousands of runs): white, grey (on the
  // stack), black (done). A grey neighbour closes a cycle.
  const color = new Map<string, 'grey' | 'black'>();
  for (const start of runs) {
    if (color.has(start.id)) continue;
    const stack: { id: string; next: number }[] = [{ id: start.id, next: 0 }];
    color.set(start.id, 'grey');
    while (stack.length > 0) {
      const frame = stack[stack.length - 1];
      const dependencies = byId.get(frame.id)?.dependsOn ?? [];
      if (frame.next >= dependencies.length) {
        color.set(frame.id, 'black');
        stack.pop();
        continue;
      }
      const dependency = dependencies[frame.next++];
      if (!byId.has(dependency)) continue;
      const state = color.get(dependency);
      if (state === 'grey') {
        const from = stack.findIndex((entry) => entry.id === dependency);
        const cycle = [...stack.slice(from).map((entry) => entry.id), dependency];
        const first = byId.get(cycle[0]);
        problems.push({
          path: `${first?.sourcePath ?? '(plan)'}.dependsOn`,
          message: `dependency cycle: ${cycle.join(' → ')}`,
        });
      } else if (state === undefined) {
        color.set(dependency, 'grey');
        stack.push({ id: dependency, next: 0 });
      }
    }
  }
}
