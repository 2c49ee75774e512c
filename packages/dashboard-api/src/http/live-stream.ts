import type { Context } from 'hono';
import type { DashboardAppContext, DashboardEnv } from './dashboard-app-options.js';
import type { SseBodyOptions } from './sse-body.js';

const SSE_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache, no-transform',
  'x-accel-buffering': 'no',
} as const;

/**
 * A Server-Sent Events answer that holds one of the app's stream slots until it ends (a 503
 * `TOO_MANY_STREAMS` when none is free). `createBody` gets the SSE options of this request:
 * keep-alive, backlog limit, the request's abort signal, and how to drop the connection of a
 * client that fell behind (`c.env.outgoing`, under `@hono/node-server`).
 */
export function liveStream<E extends DashboardEnv>(
  c: Context<E>,
  app: DashboardAppContext,
  createBody: (options: SseBodyOptions) => ReadableStream<Uint8Array>,
): Response {
  const release = app.streams.acquire();
  const outgoing = c.env?.outgoing;
  try {
    const body = createBody({
      ...app.sse,
      signal: c.req.raw.signal,
      disconnect: outgoing && (() => outgoing.destroy()),
      onEnd: release,
    });
    return c.body(body, 200, SSE_HEADERS);
  } catch (error) {
    release();
    throw error;
  }
}
