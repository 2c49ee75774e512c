import { Hono } from 'hono';
import { setCookie } from 'hono/cookie';
import type { DashboardAppContext, DashboardEnv } from '../dashboard-app-options.js';
import { SESSION_COOKIE, sessionValueOf, tokenAuth } from '../middleware/token-auth.js';

/**
 * `POST /api/session`: trades the Bearer token for an HttpOnly session cookie (derived from the
 * token, never the token itself), which `EventSource` sends by itself.
 *
 * @example
 * app.route('/api/session', sessionRoute(context));
 */
export function sessionRoute(app: DashboardAppContext): Hono<DashboardEnv> {
  const sessionValue = app.token === undefined ? '' : sessionValueOf(app.token);
  return new Hono<DashboardEnv>().post(
    '/',
    tokenAuth({ token: app.token, message: 'A session needs Authorization: Bearer <token>' }),
    (c) => {
      setCookie(c, SESSION_COOKIE, sessionValue, {
        httpOnly: true,
        sameSite: 'Strict',
        path: '/api',
      });
      return c.body(null, 204);
    },
  );
}
