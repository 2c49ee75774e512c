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
 * `JSON.stringify` plus a newline, refusing what JSON cannot hold faithfully. Every silent loss
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
  const suspicious =
    failure !== undefined || text === undefined || text.includes('null') || text.includes('{}');
  if (suspicious) {
    let problem: Problem | undefined;
    try {
      // After a successful stringify there is no cycle, so the walk can skip tracking ancestors.
      const ancestors = failure === undefined ? undefined : [];
      problem = findProblem(value, '', false, ancestors, options.nonFinite === 'error');
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
  return `${text}\n`;
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
  ancestors: object[] | undefined,
  refuseNonFinite: boolean,
): Problem | undefined {
  let value = input;
  if (typeof value === 'object' && value !== null) {
    const toJSON = (value as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === 'function') value = toJSON.call(value, String(key));
  }
  switch (typeof value) {
    case 'number':
      return Number.isFinite(value) || !refuseNonFinite
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
      if (!isPlain(value)) {
        if (value instanceof Number || value instanceof String || value instanceof Boolean) {
          return findProblem(value.valueOf(), key, omittable, ancestors, refuseNonFinite);
        }
        if (value instanceof Map || value instanceof Set) {
          return at(`is a ${value instanceof Map ? 'Map' : 'Set'}, which JSON would write as {}`);
        }
      }
      if (ancestors?.includes(value)) return at('is a circular reference');
      ancestors?.push(value);
      const problem = Array.isArray(value)
        ? findInArray(value, ancestors, refuseNonFinite)
        : findInObject(value as Record<string, unknown>, ancestors, refuseNonFinite);
      ancestors?.pop();
      return problem;
    }
    default:
      return undefined;
  }
}

/** Plain objects and arrays, the bulk of any value, skip the checks for boxed values, Map and Set. */
function isPlain(value: object): boolean {
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === Array.prototype || prototype === null;
}

function findInArray(array: unknown[], ancestors: object[] | undefined, refuseNonFinite: boolean) {
  for (let index = 0; index < array.length; index++) {
    const item = array[index];
    if (isFineLeaf(item, refuseNonFinite)) continue;
    const problem = findProblem(item, index, false, ancestors, refuseNonFinite);
    if (problem) return prefixed(problem, index);
  }
  return undefined;
}

function findInObject(
  object: Record<string, unknown>,
  ancestors: object[] | undefined,
  refuseNonFinite: boolean,
) {
  if (hasOwnKeysOnly(object)) {
    // `for…in` walks a plain object about twice as fast as `Object.keys`, which allocates.
    for (const key in object) {
      const problem = findInProperty(object, key, ancestors, refuseNonFinite);
      if (problem) return problem;
    }
    return undefined;
  }
  for (const key of Object.keys(object)) {
    const problem = findInProperty(object, key, ancestors, refuseNonFinite);
    if (problem) return problem;
  }
  return undefined;
}

function findInProperty(
  object: Record<string, unknown>,
  key: string,
  ancestors: object[] | undefined,
  refuseNonFinite: boolean,
): Problem | undefined {
  const item = object[key];
  if (isFineLeaf(item, refuseNonFinite)) return undefined;
  const problem = findProblem(item, key, true, ancestors, refuseNonFinite);
  return problem && prefixed(problem, key);
}

/**
 * Whether `for…in` over `object` yields exactly its own enumerable keys, as `JSON.stringify`
 * uses: true for plain objects, unless someone added an enumerable property to `Object.prototype`.
 */
function hasOwnKeysOnly(object: object): boolean {
  const prototype = Object.getPrototypeOf(object);
  if (prototype === null) return true;
  if (prototype !== Object.prototype) return false;
  for (const _ in Object.prototype) return false;
  return true;
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
