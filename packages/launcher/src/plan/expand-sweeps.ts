import type { PlanProblem } from './plan-problem.js';
import { formatPlanPath } from './plan-problem.js';
import type { RunSpec, SweepSpec } from './plan-schema.js';

/** One value of a sweep list. */
export type SweepValue = string | number | boolean;

/** A run as the plan lists it, with where it came from (for problem messages). */
export interface SourcedRunSpec extends RunSpec {
  /** JSON path of the plan entry: `runs[3]` or `sweeps[0]`. */
  sourcePath: string;
  /** The sweep values that made this run, if it came from a sweep. */
  binding?: Readonly<Record<string, SweepValue>>;
}

/** Sweeps larger than this are refused: almost surely a mistake, and the launcher keeps every run in memory. */
export const MAX_SWEEP_RUNS = 100_000;

const PLACEHOLDER = /\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/**
 * Replaces each `{key}` of `template` whose key is in `values`; other braces stay as they are
 * (a shell's `${HOME}` in a command keeps working).
 *
 * @example
 * substitute('cdd/{model}_run_{seed}', { model: 'Changer', seed: 2 }); // 'cdd/Changer_run_2'
 */
export function substitute(template: string, values: Readonly<Record<string, SweepValue>>): string {
  return template.replace(PLACEHOLDER, (whole, key: string) =>
    Object.hasOwn(values, key) ? String(values[key]) : whole,
  );
}

/**
 * The runs of sweep `sweeps[index]`, in a deterministic order: zipped rows vary slowest, then
 * the matrix lists in key order (the first key slowest). Problems go to `problems`.
 *
 * @example
 * expandSweep({ id: 'a/{m}_{s}', command: ['t', '{m}'], matrix: { m: ['x', 'y'], s: [1, 2] } }, 0, []);
 * // ids a/x_1, a/x_2, a/y_1, a/y_2
 */
export function expandSweep(
  sweep: SweepSpec,
  index: number,
  problems: PlanProblem[],
): SourcedRunSpec[] {
  const sourcePath = `sweeps[${index}]`;
  const at = (...path: PropertyKey[]) => formatPlanPath(['sweeps', index, ...path]);
  const matrix = sweep.matrix ?? {};
  const zip = sweep.zip ?? {};
  const keys = [...Object.keys(zip), ...Object.keys(matrix)];
  const before = problems.length;
  if (keys.length === 0)
    problems.push({ path: at(), message: 'needs a matrix or a zip with at least one list' });
  for (const key of Object.keys(zip)) {
    if (Object.hasOwn(matrix, key))
      problems.push({ path: at('zip', key), message: `"${key}" is also a matrix key` });
  }
  const zipKeys = Object.keys(zip);
  const zipLength = zipKeys.length > 0 ? zip[zipKeys[0]].length : 1;
  for (const key of zipKeys.slice(1)) {
    if (zip[key].length !== zipLength) {
      problems.push({
        path: at('zip', key),
        message: `has ${zip[key].length} values but "${zipKeys[0]}" has ${zipLength}; zip lists must be equally long`,
      });
    }
  }
  const unknown = [...new Set([...sweep.id.matchAll(PLACEHOLDER)].map((match) => match[1]))].filter(
    (key) => !keys.includes(key),
  );
  if (unknown.length > 0) {
    problems.push({
      path: at('id'),
      message: `unknown placeholder ${unknown.map((key) => `{${key}}`).join(', ')}; the sweep's keys are ${keys.join(', ') || 'none'}`,
    });
  }
  const matrixKeys = Object.keys(matrix);
  const total = matrixKeys.reduce((product, key) => product * matrix[key].length, zipLength);
  if (total > MAX_SWEEP_RUNS) {
    problems.push({
      path: at(),
      message: `makes ${total} runs; at most ${MAX_SWEEP_RUNS} are allowed`,
    });
  }
  if (problems.length > before) return [];

  const runs: SourcedRunSpec[] = [];
  for (let row = 0; row < zipLength; row++) {
    const zipped = Object.fromEntries(zipKeys.map((key) => [key, zip[key][row]]));
    for (const combination of cartesian(matrixKeys.map((key) => matrix[key]))) {
      const binding: Record<string, SweepValue> = { ...zipped };
      matrixKeys.forEach((key, position) => (binding[key] = combination[position]));
      runs.push(instantiate(sweep, binding, sourcePath));
    }
  }
  return runs;
}

function instantiate(
  sweep: SweepSpec,
  binding: Record<string, SweepValue>,
  sourcePath: string,
): SourcedRunSpec {
  const fill = (text: string) => substitute(text, binding);
  const { matrix: _matrix, zip: _zip, ...template } = sweep;
  const run: SourcedRunSpec = {
    ...template,
    id: fill(sweep.id),
    command: Array.isArray(sweep.command) ? sweep.command.map(fill) : fill(sweep.command),
    sourcePath,
    binding,
  };
  if (sweep.env)
    run.env = Object.fromEntries(
      Object.entries(sweep.env).map(([name, value]) => [name, fill(value)]),
    );
  if (sweep.cwd) run.cwd = fill(sweep.cwd);
  if (sweep.dependsOn) run.dependsOn = sweep.dependsOn.map(fill);
  if (sweep.progress?.epochDirs) {
    run.progress = {
      ...sweep.progress,
      epochDirs: {
        ...sweep.progress.epochDirs,
        expectedFiles: sweep.progress.epochDirs.expectedFiles.map(fill),
        ...(sweep.progress.epochDirs.dir === undefined
          ? {}
          : { dir: fill(sweep.progress.epochDirs.dir) }),
      },
    };
  }
  return run;
}

function* cartesian<T>(lists: readonly (readonly T[])[]): Generator<T[]> {
  if (lists.length === 0) {
    yield [];
    return;
  }
  const [first, ...rest] = lists;
  for (const value of first) {
    for (const tail of cartesian(rest)) yield [value, ...tail];
  }
}

/** `model=Changer, seed=2`: the binding of a swept run, for messages. */
export function describeBinding(binding: Readonly<Record<string, SweepValue>> | undefined): string {
  if (!binding) return '';
  return Object.entries(binding)
    .map(([key, value]) => `${key}=${String(value)}`)
    .join(', ');
}
