import { Hono } from 'hono';
import type { DashboardEnv } from '../dashboard-app-options.js';
import { findStaticFile, staticFileResponse } from '../static-files.js';

/**
 * The web page: files of `staticRoot` (a real path) for `GET` and `HEAD`, `index.html` for `/`.
 * `/api/` paths and files it does not have fall through to the app's 404.
 *
 * @example
 * app.route('/', staticRoute('/opt/runboard/apps/web/public'));
 */
export function staticRoute(staticRoot: string): Hono<DashboardEnv> {
  return new Hono<DashboardEnv>().on(['GET', 'HEAD'], '*', async (c, next) => {
    if (c.req.path.startsWith('/api/')) return next();
    const file = await findStaticFile(staticRoot, new URL(c.req.url).pathname);
    if (!file) return next();
    return staticFileResponse(file, c.req.method);
  });
}
