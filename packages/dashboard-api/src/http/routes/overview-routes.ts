import { Hono } from 'hono';
import type { DashboardAppContext, DashboardEnv } from '../dashboard-app-options.js';
import { createEventStream } from '../event-stream.js';
import { liveStream } from '../live-stream.js';
import { noticesBody } from '../notices-body.js';

/**
 * `/api/summary`, `/api/resources`, `/api/notices` (how the root is watched, and the notices
 * about the dashboard) and `/api/events` (Server-Sent Events: `run`, `removed`, `summary`,
 * `notices` and `resources`).
 *
 * @example
 * app.route('/api', overviewRoutes(context));
 */
export function overviewRoutes(app: DashboardAppContext): Hono<DashboardEnv> {
  const { index } = app;
  return new Hono<DashboardEnv>()
    .get('/summary', (c) => c.json(index.summary()))
    .get('/resources', async (c) => c.json(await app.sampler.sample()))
    .get('/notices', (c) => c.json(noticesBody(index, app.notices.list())))
    .get('/events', (c) =>
      liveStream(c, app, (options) =>
        createEventStream(index, {
          ...options,
          resources: app.resourceFeed,
          notices: app.notices,
        }),
      ),
    );
}
