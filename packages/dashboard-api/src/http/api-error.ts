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
  internal: 'INTERNAL',
} as const;

export type ApiErrorCode = (typeof API_ERROR_CODES)[keyof typeof API_ERROR_CODES];

/** The body of every error answer. */
export interface ApiErrorBody {
  error: { code: ApiErrorCode; message: string };
}

/** An error that becomes an HTTP answer `{ "error": { "code", "message" } }` with `status`. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: ApiErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

export function errorBody(code: ApiErrorCode, message: string): ApiErrorBody {
  return { error: { code, message } };
}
