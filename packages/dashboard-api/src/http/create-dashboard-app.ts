import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { secureHeaders } from 'hono/secure-headers';
import { API_ERROR_CODES, ApiError, methodNotAllowed } from './api-error.js';
import { resolveDashboardAppOptions } from './dashboard-app-options.js';
import type { DashboardAppOptions, DashboardEnv } from './dashboard-app-options.js';
import { hostCheck, originCheck } from './middleware/allowed-hosts.js';
import { tokenAuth } from './middleware/token-auth.js';
import { healthRoute } from './routes/health-route.js';
import { overviewRoutes } from './routes/overview-routes.js';
import { runsRoutes } from './routes/runs-routes.js';
import { sessionRoute } from './routes/session-route.js';
import { staticRoute } from './routes/static-route.js';

export type { DashboardAppOptions } from './dashboard-app-options.js';

/** The API's paths: an unknown method on one of them is a 405, not a 404. */
const KNOWN_API_PATHS = /^\/api\/(runs(\/.*)?|summary|resources|notices|events|session)$/;

/**
 * The dashboard's HTTP API as a Hono app (JSON; errors as `{ "error": { "code", "message" } }`).
 * Serve it with `startDashboardServer`, or any Hono adapter; test it with `app.request()`.
 *
 * Laid out as Hono's own code: the host check, the origin check and the token as middleware,
 * one module per route group mounted with `app.route()`, and every expected failure an
 * {@link ApiError} (an `HTTPException`) that answers for itself.
 *
 * @example
 * const index = await RunIndex.open({ root: 'logs' });
 * const app = createDashboardApp({ index, token: process.env.RUNBOARD_TOKEN });
 * const response = await app.request('/api/runs?status=running&limit=10');
 * console.log(await response.json()); // { runs: [...], nextCursor, total, counts }
 */
export function createDashboardApp(options: DashboardAppOptions): Hono<DashboardEnv> {
  const context = resolveDashboardAppOptions(options);
  const app = new Hono<DashboardEnv>();

  app.onError((error) => {
    if (error instanceof HTTPException) return error.getResponse();
    context.onInternalError(error);
    const message = 'Internal error; see the dashboard server log';
    return new ApiError(500, API_ERROR_CODES.internal, message).getResponse();
  });
  app.notFound((c) => {
    const path = c.req.path;
    if (KNOWN_API_PATHS.test(path))
      return methodNotAllowed(`${c.req.method} is not allowed on ${path}`).getResponse();
    return new ApiError(404, API_ERROR_CODES.notFound, `Nothing at ${path}`).getResponse();
  });

  app.use('*', hostCheck(context.allowedHosts));
  app.use(
    '*',
    secureHeaders({
      xFrameOptions: 'DENY',
      strictTransportSecurity: false,
      crossOriginEmbedderPolicy: false,
    }),
  );
  app.use('/api/*', async (c, next) => {
    await next();
    c.header('cache-control', 'no-store');
  });
  app.use('/api/*', originCheck(context.allowedHosts));
  if (context.protectReads) {
    app.use(
      '/api/*',
      tokenAuth({
        token: context.token,
        session: true,
        message: 'This dashboard needs its token: send Authorization: Bearer <token>',
      }),
    );
  }

  app.route('/healthz', healthRoute(context));
  app.route('/api/runs', runsRoutes(context));
  app.route('/api/session', sessionRoute(context));
  app.route('/api', overviewRoutes(context));
  if (context.staticRoot !== undefined) app.route('/', staticRoute(context.staticRoot));
  return app;
}
