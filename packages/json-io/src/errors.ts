import { RunboardFileError } from '@runboard/locking';
import { jsonErrorOffset } from './json-error-offset.js';

/** The stable `code` of every error this package throws. */
export const JSON_IO_ERROR_CODES = {
  notFound: 'RUNBOARD_JSON_NOT_FOUND',
  read: 'RUNBOARD_JSON_READ',
  parse: 'RUNBOARD_JSON_PARSE',
  validation: 'RUNBOARD_JSON_VALIDATION',
  serialize: 'RUNBOARD_JSON_SERIALIZE',
  write: 'RUNBOARD_JSON_WRITE',
} as const;

export type JsonIoErrorCode = (typeof JSON_IO_ERROR_CODES)[keyof typeof JSON_IO_ERROR_CODES];

/**
 * Base class of every json-io error: a {@link RunboardFileError} (a stable `code`, the original
 * `cause`, the class's own name as `name`, and the `file` involved).
 */
export class JsonIoError extends RunboardFileError<JsonIoErrorCode> {}

/** The file does not exist (after retrying until the read deadline). */
export class JsonNotFoundError extends JsonIoError {
  declare readonly code: typeof JSON_IO_ERROR_CODES.notFound;

  constructor(file: string, cause?: unknown) {
    super(JSON_IO_ERROR_CODES.notFound, file, `JSON file not found: ${file}`, { cause });
  }
}

/**
 * A file-system step failed: `systemCode` keeps the errno code (`ENOSPC`, `EACCES`, …) and
 * `syscall` the call that failed. Base of {@link JsonReadError} and {@link JsonWriteError}.
 */
export abstract class JsonSystemError extends JsonIoError {
  readonly systemCode: string | undefined;
  readonly syscall: string | undefined;

  constructor(code: JsonIoErrorCode, file: string, action: string, cause: unknown, detail = '') {
    const { code: systemCode, syscall } = (cause ?? {}) as NodeJS.ErrnoException;
    const known = typeof systemCode === 'string' ? systemCode : undefined;
    super(
      code,
      file,
      `Could not ${action} JSON file ${file}${known ? ` (${known})` : ''}${detail}`,
      {
        cause,
      },
    );
    this.systemCode = known;
    this.syscall = syscall;
  }
}

/** Reading failed for a reason retrying cannot fix (EACCES, EISDIR, …). */
export class JsonReadError extends JsonSystemError {
  declare readonly code: typeof JSON_IO_ERROR_CODES.read;

  constructor(file: string, cause: unknown) {
    super(JSON_IO_ERROR_CODES.read, file, 'read', cause);
  }
}

/** The file's content is not valid JSON (after retrying until the read deadline). */
export class JsonParseError extends JsonIoError {
  declare readonly code: typeof JSON_IO_ERROR_CODES.parse;
  /** 0-based character offset of the error, when the engine reports it. */
  readonly position: number | undefined;
  /** 1-based line and column of `position`. */
  readonly line: number | undefined;
  readonly column: number | undefined;
  /** Up to ~40 characters of the text around the error. */
  readonly excerpt: string;

  constructor(file: string, text: string, cause: unknown) {
    const offset = jsonErrorOffset(text);
    const position = offset === -1 ? undefined : offset;
    const excerpt =
      position === undefined
        ? text.slice(0, 40)
        : text.slice(Math.max(0, position - 20), position + 20);
    const before = position === undefined ? '' : text.slice(0, position);
    const line = position === undefined ? undefined : before.split('\n').length;
    const column = position === undefined ? undefined : position - before.lastIndexOf('\n');
    const where =
      text.length === 0 ? 'the file is empty' : `at line ${line ?? '?'} column ${column ?? '?'}`;
    super(
      JSON_IO_ERROR_CODES.parse,
      file,
      `Invalid JSON in ${file}: ${where}, near ${JSON.stringify(excerpt)}`,
      { cause },
    );
    this.position = position;
    this.line = line;
    this.column = column;
    this.excerpt = excerpt;
  }
}

/** The parsed value was rejected by the `validate` option; the validator's error is the `cause`. */
export class JsonValidationError extends JsonIoError {
  declare readonly code: typeof JSON_IO_ERROR_CODES.validation;

  constructor(file: string, cause: unknown) {
    const detail = cause instanceof Error ? `: ${cause.message}` : '';
    super(JSON_IO_ERROR_CODES.validation, file, `JSON in ${file} failed validation${detail}`, {
      cause,
    });
  }
}

/** The value cannot be written as JSON faithfully; nothing was written. */
export class JsonSerializeError extends JsonIoError {
  declare readonly code: typeof JSON_IO_ERROR_CODES.serialize;
  /** Where the offending value sits, e.g. `$.metrics.loss` or `$.history[3]`; `$` is the value itself. */
  readonly jsonPath: string | undefined;

  constructor(file: string, jsonPath: string | undefined, reason: string, cause?: unknown) {
    super(
      JSON_IO_ERROR_CODES.serialize,
      file,
      `Cannot write JSON to ${file}: ${jsonPath === undefined ? '' : `${jsonPath} `}${reason}`,
      { cause },
    );
    this.jsonPath = jsonPath;
  }
}

/** A file-system step of a write failed; the target is untouched unless `detail` says otherwise. */
export class JsonWriteError extends JsonSystemError {
  declare readonly code: typeof JSON_IO_ERROR_CODES.write;

  constructor(file: string, cause: unknown, detail = '') {
    super(JSON_IO_ERROR_CODES.write, file, 'write', cause, detail);
  }
}
