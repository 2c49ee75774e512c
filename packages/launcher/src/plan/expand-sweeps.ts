import type { PlanProblem } from './plan-problem.js';
import { formatPlanPath } from './plan-problem.js';
import type { RunSpec, SweepSpec } from './plan-schema.js';
import { substitute, unknownPlaceholders, type SweepValue } from './sweep-template.js';

/** A run as the plan lists it, with where it came from (for problem messages). */
export interface SourcedRunSpec extends RunSpec {
  /** JSON path of the plan entry: `runs[3]` or `sweeps[0]`. */
  sourcePath: string;
  /** The sweep values that made this run, if it came from a sweep. */
  binding?: Readonly<Record<string, SweepValue>>;
}

/** Sweeps larger than this are refused: almost surely a mistake, and the launcher keeps every run in memory. */
export const MAX_SWEEP_RUNS = 100_000;

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
  checkPlaceholders(sweep, keys, (path, message) => problems.push({ path: at(...path), message }));
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

/** The templated strings of a sweep, each with its path inside the sweep. */
function* templates(sweep: SweepSpec): Generator<[path: PropertyKey[], template: string]> {
  yield [['id'], sweep.id];
  if (typeof sweep.command === 'string') yield [['command'], sweep.command];
  else for (const [index, part] of sweep.command.entries()) yield [['command', index], part];
  for (const [name, value] of Object.entries(sweep.env ?? {})) yield [['env', name], value];
  if (sweep.cwd !== undefined) yield [['cwd'], sweep.cwd];
  for (const [index, id] of (sweep.dependsOn ?? []).entries()) yield [['dependsOn', index], id];
  const epochDirs = sweep.progress?.epochDirs;
  if (epochDirs) {
    const at = ['progress', 'epochDirs'];
    for (const [index, file] of epochDirs.expectedFiles.entries())
      yield [[...at, 'expectedFiles', index], file];
    if (epochDirs.dir !== undefined) yield [[...at, 'dir'], epochDirs.dir];
  }
}

/** Reports each templated string with a `{placeholder}` that is not one of the sweep's keys. */
function checkPlaceholders(
  sweep: SweepSpec,
  keys: readonly string[],
  report: (path: PropertyKey[], message: string) => void,
): void {
  for (const [path, template] of templates(sweep)) {
    const unknown = unknownPlaceholders(template, keys);
    if (unknown.length === 0) continue;
    const names = unknown.map((key) => `{${key}}`).join(', ');
    // Run ids cannot hold braces: the hint on escapes only helps elsewhere.
    const hint = path[0] === 'id' ? '' : ` (write {{${unknown[0]}}} for a literal {${unknown[0]}})`;
    report(
      path,
      `unknown placeholder ${names}; the sweep's keys are ${keys.join(', ') || 'none'}${hint}`,
    );
  }
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
