/**
 * Base of runboard's errors: `name` is the class's own name, `code` a stable string to match on
 * (never the message), and `cause` the original error. Lives in the lowest layer so that every
 * package's errors share it.
 *
 * @example
 * ```ts
 * class PlanMissingError extends RunboardError<'RUNBOARD_PLAN_MISSING'> {
 *   constructor(readonly file: string, options?: ErrorOptions) {
 *     super('RUNBOARD_PLAN_MISSING', `No plan at ${file}`, options);
 *   }
 * }
 * if (error instanceof RunboardError && error.code === 'RUNBOARD_PLAN_MISSING') …
 * ```
 */
export class RunboardError<Code extends string = string> extends Error {
  readonly code: Code;

  constructor(code: Code, message: string, options?: ErrorOptions) {
    super(message, options);
    // Every subclass is named after itself (`LockTimeoutError`, `JsonWriteError`, …).
    this.name = new.target.name;
    this.code = code;
  }
}

/**
 * A {@link RunboardError} about one file, named in `file`: the base of the lock's errors (the
 * file the lock protects) and of json-io's (the file read or written).
 *
 * @example
 * ```ts
 * if (error instanceof RunboardFileError) console.error(`${error.code} on ${error.file}`);
 * ```
 */
export class RunboardFileError<Code extends string = string> extends RunboardError<Code> {
  readonly file: string;

  constructor(code: Code, file: string, message: string, options?: ErrorOptions) {
    super(code, message, options);
    this.file = file;
  }
}
