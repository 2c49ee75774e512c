/**
 * The argument checks every runboard package shares, so that a wrong option reads the same
 * everywhere (``TypeError: Expected `concurrency` to be an integer ≥ 1``). They live in the
 * bottom layer because every layer checks arguments; they know nothing of locks.
 */

/** Bounds of {@link checkNumberOption}. */
export interface NumberOptionBounds {
  /** Smallest allowed value (inclusive). */
  min?: number;
  /** Largest allowed value (inclusive). */
  max?: number;
  /** Only whole numbers. Default false. */
  integer?: boolean;
  /** `Infinity` is allowed too (say, "no timeout"). Default false. */
  allowInfinity?: boolean;
}

/**
 * Throws a `TypeError` naming `name` unless `value` is a number within `bounds`; returns it.
 * `undefined` is the caller's business (check it before when the option is optional).
 *
 * @example
 * checkNumberOption('concurrency', options.concurrency, { integer: true, min: 1 });
 * checkNumberOption('timeout', timeout, { min: 0, allowInfinity: true });
 */
export function checkNumberOption(name: string, value: unknown, bounds: NumberOptionBounds = {}) {
  const { min, max, integer = false, allowInfinity = false } = bounds;
  const valid =
    typeof value === 'number' &&
    !Number.isNaN(value) &&
    (Number.isFinite(value) ? !integer || Number.isInteger(value) : allowInfinity && value > 0) &&
    (min === undefined || value >= min) &&
    (max === undefined || value <= max);
  if (!valid) throw new TypeError(`Expected \`${name}\` to be ${describeNumber(bounds)}`);
  return value as number;
}

function describeNumber({ min, max, integer, allowInfinity }: NumberOptionBounds): string {
  const kind = integer ? 'an integer' : 'a finite number';
  const range =
    min !== undefined && max !== undefined
      ? ` from ${min} to ${max}`
      : min !== undefined
        ? ` ≥ ${min}`
        : max !== undefined
          ? ` ≤ ${max}`
          : '';
  return `${kind}${range}${allowInfinity ? ' (or Infinity)' : ''}`;
}

/**
 * Throws a `TypeError` naming `name` unless `value` is a non-empty string; returns it.
 *
 * @example
 * checkStringOption('root', options.root);
 */
export function checkStringOption(name: string, value: unknown): string {
  if (typeof value !== 'string' || value.length === 0)
    throw new TypeError(`Expected \`${name}\` to be a non-empty string`);
  return value;
}

/**
 * Throws a `TypeError` naming `name` unless `value` is a function; returns it.
 *
 * @example
 * checkFunctionOption('onEvent', options.onEvent);
 */
export function checkFunctionOption<T extends (...args: never[]) => unknown>(
  name: string,
  value: T | unknown,
): T {
  if (typeof value !== 'function') throw new TypeError(`Expected \`${name}\` to be a function`);
  return value as T;
}

/**
 * Throws a `TypeError` naming `name` unless `value` is a plain object (not null, not an array).
 *
 * @example
 * checkObjectOption('options', options);
 */
export function checkObjectOption(name: string, value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new TypeError(`Expected \`${name}\` to be an object`);
  return value as Record<string, unknown>;
}
