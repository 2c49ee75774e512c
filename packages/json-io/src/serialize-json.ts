import { JsonSerializeError } from './errors.js';

/**
 * What `writeJson` does with `NaN`, `Infinity` and `-Infinity`, which JSON cannot represent:
 * `'error'` refuses the value with a {@link JsonSerializeError} naming its JSON path;
 * `'null'` writes them as `null` (what `JSON.stringify` does silently, here only on request).
 */
export const NON_FINITE_POLICIES = ['error', 'null'] as const;
export type NonFinitePolicy = (typeof NON_FINITE_POLICIES)[number];

export interface SerializeOptions {
  space: number | string;
  nonFinite: NonFinitePolicy;
}

interface Problem {
  path: Array<string | number>;
  reason: string;
}

/**
 * `JSON.stringify`, refusing what JSON cannot hold faithfully (the writers add the final newline
 * as a byte: appending it to a 1 MB string would double the cost of encoding it). Every silent loss
 * that `findProblem` refuses leaves a trace in the output (`null` for NaN, ±Infinity and
 * undefined array items, `{}` for Map and Set, no output for a top-level undefined) or makes
 * `JSON.stringify` throw (BigInt, cycles). So the walk that finds the offending JSON path runs
 * only when such a trace is there: most large values (numeric histories) skip it entirely.
 */
export function serializeJson(file: string, value: unknown, options: SerializeOptions): string {
  let text: string | undefined;
  let failure: unknown;
  try {
    text = JSON.stringify(value, null, options.space);
  } catch (error) {
    failure = error;
  }
  if (failure !== undefined || text === undefined || hasTrace(text)) {
    let problem: Problem | undefined;
    try {
      const walk: Walk = {
        // After a successful stringify there is no cycle, so the walk can skip tracking ancestors.
        ancestors: failure === undefined ? undefined : [],
        refuseNonFinite: options.nonFinite === 'error',
        forInIsOwnKeys: !hasEnumerableProperty(Object.prototype),
      };
      problem =
        text === undefined || text.length < GUIDED_WALK_MIN_LENGTH
          ? findProblem(value, '', false, walk)
          : findProblemByLine(value, text, options.space, walk);
    } catch (error) {
      failure ??= error;
    }
    if (problem) throw new JsonSerializeError(file, formatJsonPath(problem.path), problem.reason);
  }
  if (failure !== undefined || text === undefined) {
    throw new JsonSerializeError(
      file,
      undefined,
      'JSON.stringify failed (a toJSON or getter threw?)',
      failure,
    );
  }
  return text;
}

/** Below this output length the full walk costs less than finding the lines that need it. */
const GUIDED_WALK_MIN_LENGTH = 64 * 1024;

/** What every silent loss leaves in `JSON.stringify`'s output (see {@link serializeJson}). */
function hasTrace(text: string): boolean {
  return text.includes('null') || text.includes('{}');
}

/**
 * For a plain top-level object written with an indentation of spaces or tabs, walks only the
 * properties whose lines hold a trace: a long metrics history without `null` is skipped even
 * when the record's other fields are legitimately `null`. Each top-level property starts a line
 * indented exactly once and followed by its quoted key (in `Object.keys` order; omitted ones are
 * missing); deeper lines are indented more, and JSON text has no line breaks inside strings.
 * Other values get the full walk.
 */
function findProblemByLine(
  value: unknown,
  text: string,
  space: number | string,
  walk: Walk,
): Problem | undefined {
  const indent =
    typeof space === 'number'
      ? ' '.repeat(Math.max(0, Math.min(10, Math.trunc(space) || 0)))
      : space.slice(0, 10);
  const object = value as Record<string, unknown> | null;
  const prototype = typeof object === 'object' && object !== null && Object.getPrototypeOf(object);
  const guided =
    /^[ \t]+$/.test(indent) &&
    (prototype === Object.prototype || prototype === null) &&
    typeof object?.toJSON !== 'function';
  if (!guided || object === null) return findProblem(value, '', false, walk);
  const lines: Array<{ key: string; start: number }> = [];
  let from = 0;
  for (const key of Object.keys(object)) {
    // A long pattern: the search skips ahead instead of stopping at every line break.
    const start = text.indexOf(`\n${indent}${JSON.stringify(key)}: `, from);
    if (start === -1) continue; // omitted: undefined, a function or a symbol
    lines.push({ key, start });
    from = start + 1;
  }
  for (let index = 0; index < lines.length; index++) {
    const { key, start } = lines[index] as { key: string; start: number };
    if (!hasTrace(text.slice(start, lines[index + 1]?.start))) continue;
    const problem = findInProperty(object, key, walk);
    if (problem) return problem;
  }
  return undefined;
}

interface Walk {
  /** The objects above the current one, to spot cycles; undefined when there can be none. */
  ancestors: object[] | undefined;
  refuseNonFinite: boolean;
  /** `for…in` over a plain object yields exactly its own keys (Object.prototype is untouched). */
  forInIsOwnKeys: boolean;
}

/**
 * Follows `JSON.stringify`'s rules (toJSON, own enumerable keys, boxed primitives). A value that
 * `JSON.stringify` would omit is fine inside an object (an optional field) but not at the top
 * level or in an array, where it would turn into nothing or `null`.
 */
function findProblem(
  input: unknown,
  key: string | number,
  omittable: boolean,
  walk: Walk,
): Problem | undefined {
  let value = input;
  if (typeof value === 'object' && value !== null) {
    const toJSON = (value as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === 'function') value = toJSON.call(value, String(key));
  }
  switch (typeof value) {
    case 'number':
      return Number.isFinite(value) || !walk.refuseNonFinite
        ? undefined
        : at(`is ${value}, which JSON cannot represent (the nonFinite: 'null' option writes null)`);
    case 'bigint':
      return at('is a BigInt, which JSON cannot represent');
    case 'undefined':
    case 'function':
    case 'symbol':
      return omittable ? undefined : at(`is ${typeof value}, which JSON cannot represent`);
    case 'object': {
      if (value === null) return undefined;
      const prototype = Object.getPrototypeOf(value);
      const plain =
        prototype === Object.prototype || prototype === Array.prototype || prototype === null;
      if (!plain) {
        if (value instanceof Number || value instanceof String || value instanceof Boolean) {
          return findProblem(value.valueOf(), key, omittable, walk);
        }
        if (value instanceof Map || value instanceof Set) {
          return at(`is a ${value instanceof Map ? 'Map' : 'Set'}, which JSON would write as {}`);
        }
      }
      const { ancestors } = walk;
      if (ancestors?.includes(value)) return at('is a circular reference');
      ancestors?.push(value);
      let problem: Problem | undefined;
      if (Array.isArray(value)) problem = findInArray(value, walk);
      else if (plain && prototype !== Array.prototype && walk.forInIsOwnKeys)
        problem = findInPlainObject(value as Record<string, unknown>, walk);
      else problem = findInObject(value as Record<string, unknown>, walk);
      ancestors?.pop();
      return problem;
    }
    default:
      return undefined;
  }
}

function findInArray(array: unknown[], walk: Walk): Problem | undefined {
  for (let index = 0; index < array.length; index++) {
    const item = array[index];
    if (isFineLeaf(item, walk.refuseNonFinite)) continue;
    const problem = findProblem(item, index, false, walk);
    if (problem) return prefixed(problem, index);
  }
  return undefined;
}

/** `for…in` walks a plain object about twice as fast as `Object.keys`, which allocates. */
function findInPlainObject(object: Record<string, unknown>, walk: Walk): Problem | undefined {
  for (const key in object) {
    const problem = findInProperty(object, key, walk);
    if (problem) return problem;
  }
  return undefined;
}

function findInObject(object: Record<string, unknown>, walk: Walk): Problem | undefined {
  for (const key of Object.keys(object)) {
    const problem = findInProperty(object, key, walk);
    if (problem) return problem;
  }
  return undefined;
}

function findInProperty(
  object: Record<string, unknown>,
  key: string,
  walk: Walk,
): Problem | undefined {
  const item = object[key];
  if (isFineLeaf(item, walk.refuseNonFinite)) return undefined;
  const problem = findProblem(item, key, true, walk);
  return problem && prefixed(problem, key);
}

function hasEnumerableProperty(object: object): boolean {
  for (const _ in object) return true;
  return false;
}

/** The common leaves (strings, numbers, booleans, null), settled without a recursive call. */
function isFineLeaf(value: unknown, refuseNonFinite: boolean): boolean {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return !refuseNonFinite || Number.isFinite(value);
    default:
      return value === null;
  }
}

function at(reason: string): Problem {
  return { path: [], reason };
}

function prefixed(problem: Problem, segment: string | number): Problem {
  problem.path.unshift(segment);
  return problem;
}

function formatJsonPath(path: Array<string | number>): string {
  let result = '$';
  for (const segment of path) {
    if (typeof segment === 'number') result += `[${segment}]`;
    else if (/^[A-Za-z_$][\w$]*$/.test(segment)) result += `.${segment}`;
    else result += `[${JSON.stringify(segment)}]`;
  }
  return result;
}
