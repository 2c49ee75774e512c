import { createHmac } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import { API_ERROR_CODES, ApiError } from '../api-error.js';
import { bearerTokenOf, tokensMatch } from '../token.js';

/** The cookie `POST /api/session` sets, which `EventSource` sends by itself. */
export const SESSION_COOKIE = 'runboard_session';

/** The session cookie's value for `token`: derived from it, so the cookie never holds the token. */
export function sessionValueOf(token: string): string {
  return createHmac('sha256', token).update('runboard-session-v1').digest('base64url');
}

export interface TokenAuthOptions {
  /** The dashboard's token; without one the route is refused with 403 `CANCEL_DISABLED`. */
  token: string | undefined;
  /** Also accept the session cookie (reads: `EventSource` cannot send headers). Default `false`. */
  session?: boolean;
  /** What the 401 says. */
  message: string;
  /** What the 403 says when the dashboard has no token. */
  disabledMessage?: string;
}

/**
 * Lets a request through only with `Authorization: Bearer <token>` (or, with `session`, the
 * session cookie), compared in constant time; else 401 with `WWW-Authenticate: Bearer`.
 * Unlike Hono's `bearerAuth`, a malformed header is a 401 too.
 *
 * @example
 * app.post('/api/runs/*', tokenAuth({ token, message: 'Cancel needs Authorization: Bearer <token>' }), cancel);
 */
export function tokenAuth(options: TokenAuthOptions): MiddlewareHandler {
  const { token } = options;
  const sessionValue = token && options.session ? sessionValueOf(token) : undefined;
  return async function tokenAuth(c, next) {
    if (!token) {
      throw new ApiError(
        403,
        API_ERROR_CODES.cancelDisabled,
        options.disabledMessage ?? 'The dashboard has no token',
      );
    }
    if (!hasBearer(c, token) && !hasSession(c, sessionValue)) {
      throw new ApiError(401, API_ERROR_CODES.unauthorized, options.message, {
        headers: { 'www-authenticate': 'Bearer realm="runboard"' },
      });
    }
    await next();
  };
}

function hasBearer(c: Context, token: string): boolean {
  const given = bearerTokenOf(c.req.header('authorization'));
  return given !== undefined && tokensMatch(given, token);
}

function hasSession(c: Context, sessionValue: string | undefined): boolean {
  if (sessionValue === undefined) return false;
  const cookie = getCookie(c, SESSION_COOKIE);
  return cookie !== undefined && tokensMatch(cookie, sessionValue);
}
