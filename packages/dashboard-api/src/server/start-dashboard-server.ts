import type { AddressInfo } from 'node:net';
import { hostname, networkInterfaces } from 'node:os';
import { createAdaptorServer } from '@hono/node-server';
import type { Hono } from 'hono';
import { InsecureBindError } from '../errors.js';
import { createDashboardApp } from '../http/create-dashboard-app.js';
import type { DashboardAppOptions } from '../http/create-dashboard-app.js';
import { isLoopbackHost, isWildcardHost, normalizeHostname } from '../http/host-check.js';
import { RunIndex } from '../run-index/run-index.js';
import type { RunIndexOptions } from '../run-index/run-index.js';

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
}

/** A running dashboard. */
export interface DashboardServer {
  /** Where to open the page, e.g. `http://127.0.0.1:8787/`. */
  url: string;
  host: string;
  port: number;
  index: RunIndex;
  app: Hono;
  /** Ends SSE streams, stops watching and closes the server. */
  close(): Promise<void>;
}

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
  if (typeof options !== 'object' || options === null)
    throw new TypeError('Expected `options` to be an object');
  const host = options.host ?? DEFAULT_DASHBOARD_HOST;
  const port = options.port ?? DEFAULT_DASHBOARD_PORT;
  if (typeof host !== 'string' || host === '')
    throw new TypeError('Expected `host` to be a non-empty string');
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new TypeError('Expected `port` to be an integer from 0 to 65535');
  }
  const loopback = isLoopbackHost(host);
  if (!loopback && !options.token) throw new InsecureBindError(host);

  const {
    host: _host,
    port: _port,
    token,
    protectReads,
    allowedHosts,
    staticDir,
    keepAliveMs,
    maxBufferedBytes,
    resources,
    resourcesIntervalMs,
    logRecheckMs,
    onInternalError,
    ...indexOptions
  } = options;
  const index = await RunIndex.open(indexOptions);
  try {
    const app = createDashboardApp({
      index,
      token,
      protectReads: protectReads ?? !loopback,
      allowedHosts: [...(allowedHosts ?? []), ...hostNamesOf(host)],
      staticDir,
      keepAliveMs,
      maxBufferedBytes,
      resources,
      resourcesIntervalMs,
      logRecheckMs,
      onInternalError,
    });
    const server = createAdaptorServer({ fetch: app.fetch, hostname: host });
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
          await new Promise<void>((resolve) => {
            server.close(() => resolve());
            if ('closeAllConnections' in server) server.closeAllConnections();
          });
        })();
        return closing;
      },
    };
  } catch (error) {
    await index.close();
    throw error;
  }
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
