import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

/** The `code` of every error answer, stable across versions. */
export const API_ERROR_CODES = {
  invalidRunId: 'INVALID_RUN_ID',
  invalidQuery: 'INVALID_QUERY',
  runNotFound: 'RUN_NOT_FOUND',
  notFound: 'NOT_FOUND',
  methodNotAllowed: 'METHOD_NOT_ALLOWED',
  hostNotAllowed: 'HOST_NOT_ALLOWED',
  originNotAllowed: 'ORIGIN_NOT_ALLOWED',
  unauthorized: 'UNAUTHORIZED',
  cancelDisabled: 'CANCEL_DISABLED',
  runFinished: 'RUN_FINISHED',
  fileUnreadable: 'FILE_UNREADABLE',
  tooManyStreams: 'TOO_MANY_STREAMS',
  tooManyConnections: 'TOO_MANY_CONNECTIONS',
  internal: 'INTERNAL',
} as const;

export type ApiErrorCode = (typeof API_ERROR_CODES)[keyof typeof API_ERROR_CODES];

/** The body of every error answer. */
export interface ApiErrorBody {
  error: { code: ApiErrorCode; message: string };
}

export interface ApiErrorOptions extends ErrorOptions {
  /** Headers of the answer, e.g. `WWW-Authenticate`, `Retry-After`. */
  headers?: Record<string, string>;
}

/**
 * An error that becomes the HTTP answer `{ "error": { "code", "message" } }` with `status`: a
 * Hono `HTTPException`, so the app's error handler only asks it for its response.
 *
 * @example
 * throw new ApiError(404, API_ERROR_CODES.runNotFound, 'No run "sweep/a"');
 */
export class ApiError extends HTTPException {
  override readonly name = 'ApiError';
  declare readonly status: ContentfulStatusCode;
  private readonly headers: Record<string, string>;

  constructor(
    status: ContentfulStatusCode,
    readonly code: ApiErrorCode,
    message: string,
    options: ApiErrorOptions = {},
  ) {
    super(status, { message, cause: options.cause });
    this.headers = options.headers ?? {};
  }

  override getResponse(): Response {
    return new Response(JSON.stringify(errorBody(this.code, this.message)), {
      status: this.status,
      headers: { 'content-type': 'application/json', ...this.headers },
    });
  }
}

export function errorBody(code: ApiErrorCode, message: string): ApiErrorBody {
  return { error: { code, message } };
}

/** 404 `RUN_NOT_FOUND`. */
export function runNotFound(id: string): ApiError {
  return new ApiError(404, API_ERROR_CODES.runNotFound, `No run ${JSON.stringify(id)}`);
}

/** 405 `METHOD_NOT_ALLOWED`. */
export function methodNotAllowed(message: string): ApiError {
  return new ApiError(405, API_ERROR_CODES.methodNotAllowed, message);
}

/** 400 `INVALID_QUERY`. */
export function invalidQuery(message: string, options?: ApiErrorOptions): ApiError {
  return new ApiError(400, API_ERROR_CODES.invalidQuery, message, options);
}
