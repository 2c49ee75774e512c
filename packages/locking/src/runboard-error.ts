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
