import { Hono } from 'hono';
import type { DashboardAppContext, DashboardEnv } from '../dashboard-app-options.js';

/**
 * `GET /healthz`: `{ status: 'ok', runs, watchMode }`, open without a token.
 *
 * @example
 * app.route('/healthz', healthRoute(context));
 */
export function healthRoute({ index }: DashboardAppContext): Hono<DashboardEnv> {
  return new Hono<DashboardEnv>().get('/', (c) => {
    c.header('cache-control', 'no-store');
    return c.json({ status: 'ok', runs: index.size, watchMode: index.watchMode });
  });
}
