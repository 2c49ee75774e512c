import { JsonValidationError } from './errors.js';

/** A function that returns the value (or throws), or a schema with `parse`, such as a zod schema. */
export type JsonValidator<T> = ((value: unknown) => T) | { parse: (value: unknown) => T };

export function checkValidator(validate: unknown): void {
  if (
    validate !== undefined &&
    typeof validate !== 'function' &&
    typeof (validate as { parse?: unknown } | null)?.parse !== 'function'
  ) {
    throw new TypeError('Expected `validate` to be a function or an object with a `parse` method');
  }
}

/** Runs `validate` (if any) on a value from `file`; its failure becomes a `JsonValidationError`. */
export function runValidator<T>(
  file: string,
  validate: JsonValidator<T> | undefined,
  value: unknown,
): T {
  if (!validate) return value as T;
  try {
    return typeof validate === 'function' ? validate(value) : validate.parse(value);
  } catch (error) {
    throw new JsonValidationError(file, error);
  }
}
