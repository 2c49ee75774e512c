import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hostname, networkInterfaces } from 'node:os';
import { createAdaptorServer } from '@hono/node-server';
import type { HttpBindings } from '@hono/node-server';
import type { Hono } from 'hono';
import { checkNumberOption, checkObjectOption, checkStringOption } from '@runboard/locking';
import { InsecureBindError } from '../errors.js';
import type { DashboardWarning } from '../errors.js';
import { API_ERROR_CODES, ApiError } from '../http/api-error.js';
import { createDashboardApp } from '../http/create-dashboard-app.js';
import type { DashboardAppOptions, DashboardEnv } from '../http/dashboard-app-options.js';
import { isLoopbackHost, isWildcardHost, normalizeHostname } from '../http/host-check.js';
import { DashboardNotices } from '../notices/dashboard-notices.js';
import { createIndexResourceSampler } from '../resources/index-resource-sampler.js';
import { ResourceSampler } from '../resources/resource-sampler.js';
import { RunIndex } from '../run-index/run-index.js';
import type { RunIndexOptions } from '../run-index/run-index.js';
import { ConnectionLimit } from './connection-limit.js';

/** The address the dashboard listens on unless told otherwise. */
export const DEFAULT_DASHBOARD_HOST = '127.0.0.1';
/** The port the dashboard listens on unless told otherwise. */
export const DEFAULT_DASHBOARD_PORT = 8787;

export interface DashboardServerOptions
  extends Omit<RunIndexOptions, 'root'>, Omit<DashboardAppOptions, 'index' | 'protectReads'> {
  /** The folder that holds the run folders. */
  root: string;
  /** Default `127.0.0.1`. Any non-loopback address needs a `token`. */
  host?: string;
  /** Default 8787; `0` picks a free port. */
  port?: number;
  /**
   * Require the token for reading too. Default: `true` on a non-loopback address (where the
   * network can reach the API), `false` on loopback.
   */
  protectReads?: boolean;
  /**
   * Open connections at once. One more first closes the oldest idle keep-alive connection;
   * when all are busy it is answered 503 `TOO_MANY_CONNECTIONS` and closed. Default 256.
   */
  maxConnections?: number;
  /**
   * A connection that has not sent a request's headers within this time is answered 408 and
   * closed (a half-open or stalled client). Default 10 000 ms (Node's: 60 000).
   */
  headersTimeoutMs?: number;
  /** The same for a whole request, body included; at least `headersTimeoutMs`. Default 30 000 ms. */
  requestTimeoutMs?: number;
}

/** A running dashboard. */
export interface DashboardServer {
  /** Where to open the page, e.g. `http://127.0.0.1:8787/`. */
  url: string;
  host: string;
  port: number;
  index: RunIndex;
  app: Hono<DashboardEnv>;
  /** Ends SSE streams, stops watching and closes the server. */
  close(): Promise<void>;
}

/** How often Node checks connections against the timeouts, at most: its default is 30 s. */
const TIMEOUT_CHECK_MS = 1000;

/**
 * Indexes `root`, then serves the dashboard API (and `staticDir` at `/`) until `close()`.
 * Listens on loopback by default and refuses a non-loopback address without a token.
 *
 * @throws {InsecureBindError} for a non-loopback `host` without `token`.
 * @throws {DashboardRootError} when `root` is not a folder.
 * @throws the listen error (e.g. `EADDRINUSE`), after cleaning up.
 * @example
 * const server = await startDashboardServer({ root: 'logs', port: 8787, staticDir: 'apps/web/public' });
 * console.log(`Dashboard at ${server.url}`);
 * process.once('SIGINT', () => void server.close());
 */
export async function startDashboardServer(
  options: DashboardServerOptions,
): Promise<DashboardServer> {
  checkObjectOption('options', options);
  const host = checkStringOption('host', options.host ?? DEFAULT_DASHBOARD_HOST);
  const port = checkNumberOption('port', options.port ?? DEFAULT_DASHBOARD_PORT, {
    integer: true,
    min: 0,
    max: 65_535,
  });
  const limits = connectionOptions(options);
  const loopback = isLoopbackHost(host);
  if (!loopback && !options.token) throw new InsecureBindError(host);

  // The index's warnings about the dashboard as a whole are the page's notices too.
  const notices = options.notices ?? new DashboardNotices();
  const report = options.onWarning ?? ((warning) => process.emitWarning(warning));
  const onWarning = (warning: DashboardWarning): void => {
    notices.add(warning);
    report(warning);
  };
  // The index and the app each take the options they know and leave the others.
  const index = await RunIndex.open({ ...options, onWarning });
  // A sampler made here is released on close: the pool's SSH connections end with the server.
  const { resources, serverPool } = options;
  const ownSampler =
    resources instanceof ResourceSampler
      ? undefined
      : createIndexResourceSampler(index, { resources, serverPool });
  try {
    const app = createDashboardApp({
      ...options,
      index,
      notices,
      resources: ownSampler ?? resources,
      protectReads: options.protectReads ?? !loopback,
      allowedHosts: [...(options.allowedHosts ?? []), ...hostNamesOf(host)],
    });
    const connections = new ConnectionLimit(limits.maxConnections);
    const server = createAdaptorServer({
      fetch: (request, env) =>
        connections.isOverLimit(env.incoming.socket)
          ? tooManyConnections(limits.maxConnections)
          : app.fetch(request, env as HttpBindings),
      hostname: host,
      serverOptions: {
        headersTimeout: limits.headersTimeoutMs,
        requestTimeout: limits.requestTimeoutMs,
        connectionsCheckingInterval: Math.min(TIMEOUT_CHECK_MS, limits.headersTimeoutMs),
      },
    }) as Server; // createAdaptorServer makes an HTTP/1 server unless given another createServer
    connections.track(server);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const boundPort = (server.address() as AddressInfo).port;
    const urlHost = isWildcardHost(host) ? '127.0.0.1' : normalizeHostname(host);
    let closing: Promise<void> | undefined;
    return {
      url: `http://${urlHost}:${boundPort}/`,
      host,
      port: boundPort,
      index,
      app,
      close() {
        closing ??= (async () => {
          // Closing the index ends every SSE stream, so no response holds the server open.
          await index.close();
          await ownSampler?.release();
          await new Promise<void>((resolve) => {
            server.close(() => resolve());
            server.closeAllConnections();
          });
        })();
        return closing;
      },
    };
  } catch (error) {
    await index.close();
    await ownSampler?.release();
    throw error;
  }
}

function connectionOptions(options: DashboardServerOptions) {
  const count = (name: keyof DashboardServerOptions, fallback: number): number =>
    options[name] === undefined
      ? fallback
      : checkNumberOption(name, options[name], { integer: true, min: 1 });
  const headersTimeoutMs = count('headersTimeoutMs', 10_000);
  const requestTimeoutMs = count('requestTimeoutMs', Math.max(30_000, headersTimeoutMs));
  // Node refuses a headers timeout longer than the request timeout.
  checkNumberOption('requestTimeoutMs', requestTimeoutMs, { min: headersTimeoutMs });
  return { maxConnections: count('maxConnections', 256), headersTimeoutMs, requestTimeoutMs };
}

function tooManyConnections(max: number): Response {
  return new ApiError(
    503,
    API_ERROR_CODES.tooManyConnections,
    `This dashboard already holds ${max} busy connections; try again later`,
    { headers: { connection: 'close', 'retry-after': '5' } },
  ).getResponse();
}

/** The names a browser may use for `host`: itself, or for a wildcard this machine's names and addresses. */
function hostNamesOf(host: string): string[] {
  if (!isWildcardHost(host)) return [host];
  const names = [hostname()];
  for (const addresses of Object.values(networkInterfaces())) {
    for (const address of addresses ?? []) names.push(address.address.replace(/%.*$/, ''));
  }
  return names;
}
