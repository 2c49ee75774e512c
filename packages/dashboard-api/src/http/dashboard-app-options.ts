import { realpathSync, statSync } from 'node:fs';
import type { HttpBindings } from '@hono/node-server';
import { checkNumberOption, checkObjectOption, checkStringOption } from '@runboard/locking';
import { DashboardNotices } from '../notices/dashboard-notices.js';
import { ResourceFeed } from '../resources/resource-feed.js';
import { createIndexResourceSampler } from '../resources/index-resource-sampler.js';
import type { ServerPoolOptions } from '../resources/index-resource-sampler.js';
import { ResourceSampler } from '../resources/resource-sampler.js';
import type { ResourceSamplerOptions } from '../resources/resource-sampler.js';
import type { RunIndex } from '../run-index/run-index.js';
import { AllowedHosts } from './middleware/allowed-hosts.js';
import { StreamSlots } from './stream-slots.js';

export interface DashboardAppOptions {
  /** The run index the API serves (see `RunIndex.open`). The app never closes it. */
  index: RunIndex;
  /**
   * Enables `POST /api/runs/<id>/cancel` for requests with `Authorization: Bearer <token>`.
   * Without a token, cancel answers 403.
   */
  token?: string;
  /**
   * Requires the token for every `/api/*` request too (as a Bearer header, or the session
   * cookie that `POST /api/session` sets, which `EventSource` sends by itself). Default
   * `false`; `startDashboardServer` turns it on for non-loopback addresses.
   */
  protectReads?: boolean;
  /**
   * Host names accepted in the `Host` header besides `localhost`, `127.0.0.1` and `[::1]`
   * (DNS-rebinding protection). `['*']` accepts any host.
   */
  allowedHosts?: readonly string[];
  /** A folder of static files (the web page's build) served at `/`, `index.html` for `/`. */
  staticDir?: string;
  /** Interval of SSE keep-alive comments. Default 15 000 ms. */
  keepAliveMs?: number;
  /** An SSE client this many bytes behind is disconnected. Default 4 MiB. */
  maxBufferedBytes?: number;
  /**
   * Live streams (`/api/events` and followed logs together) open at once; one more is answered
   * 503 `TOO_MANY_STREAMS`. Default 100.
   */
  maxStreams?: number;
  /** Options of the resources sampler (`GET /api/resources`), or a sampler to share. */
  resources?: ResourceSampler | ResourceSamplerOptions;
  /**
   * How the SSH server pool named by the root's `.runboard/servers.json` is sampled (`ssh`
   * arguments such as `['-F', ssh_config]`, intervals), or `false` for not at all. Each server
   * gets one query per `resourcesIntervalMs` while a page is open. Ignored when `resources` is
   * a sampler.
   */
  serverPool?: ServerPoolOptions;
  /**
   * Interval of the `resources` SSE event. Resources are sampled only while at least one
   * event stream is open, once per interval for all of them. Default 5000 ms.
   */
  resourcesIntervalMs?: number;
  /**
   * How often a followed log (`GET /api/runs/<id>/log?follow=1`) is re-checked without a
   * file-system event (network file systems). Default 2000 ms.
   */
  logRecheckMs?: number;
  /** Receives unexpected errors (answered as 500 without details). Default: `console.error`. */
  onInternalError?: (error: unknown) => void;
  /**
   * The notices the page shows (`GET /api/notices`, SSE `notices`), e.g. that a root on a
   * shared file system is polled; `startDashboardServer` fills them from the index's warnings.
   */
  notices?: DashboardNotices;
}

/** What the app's routes and middleware share: the options checked, defaults filled in. */
export interface DashboardAppContext {
  index: RunIndex;
  token: string | undefined;
  protectReads: boolean;
  allowedHosts: AllowedHosts;
  /** The static folder, symbolic links resolved. */
  staticRoot: string | undefined;
  sse: { keepAliveMs: number; maxBufferedBytes: number };
  streams: StreamSlots;
  sampler: ResourceSampler;
  resourceFeed: ResourceFeed;
  logRecheckMs: number;
  onInternalError: (error: unknown) => void;
  notices: DashboardNotices;
}

/**
 * The app's Hono environment. Under `@hono/node-server` `c.env` holds Node's request and
 * response (used to drop a client that fell behind); under `app.request()` it is empty.
 */
export interface DashboardEnv {
  Bindings: Partial<HttpBindings>;
}

/** Checks the options (a `TypeError` naming the first bad one) and builds the shared parts. */
export function resolveDashboardAppOptions(options: DashboardAppOptions): DashboardAppContext {
  checkObjectOption('options', options);
  const { index } = options;
  if (typeof index?.list !== 'function') throw new TypeError('Expected `index` to be a RunIndex');
  if (options.token !== undefined) checkStringOption('token', options.token);
  if (options.protectReads && !options.token) throw new TypeError('`protectReads` needs a `token`');
  const count = (name: keyof DashboardAppOptions, fallback: number): number =>
    options[name] === undefined
      ? fallback
      : checkNumberOption(name, options[name], { integer: true, min: 1 });
  const sampler =
    options.resources instanceof ResourceSampler
      ? options.resources
      : createIndexResourceSampler(index, {
          resources: options.resources,
          serverPool: options.serverPool,
        });
  return {
    index,
    token: options.token,
    protectReads: options.protectReads ?? false,
    allowedHosts: new AllowedHosts(options.allowedHosts),
    staticRoot: options.staticDir === undefined ? undefined : checkStaticDir(options.staticDir),
    sse: {
      keepAliveMs: count('keepAliveMs', 15_000),
      maxBufferedBytes: count('maxBufferedBytes', 4 * 1024 * 1024),
    },
    streams: new StreamSlots(count('maxStreams', 100)),
    sampler,
    resourceFeed: new ResourceFeed(sampler, { intervalMs: count('resourcesIntervalMs', 5000) }),
    logRecheckMs: count('logRecheckMs', 2000),
    onInternalError:
      options.onInternalError ?? ((error) => console.error('runboard dashboard:', error)),
    notices: options.notices ?? new DashboardNotices(),
  };
}

/** The static folder's real path; once, when the app is made, never while serving. */
function checkStaticDir(staticDir: string): string {
  checkStringOption('staticDir', staticDir);
  try {
    const real = realpathSync(staticDir);
    if (statSync(real).isDirectory()) return real;
  } catch {
    // Reported below.
  }
  throw new TypeError(`Expected \`staticDir\` to be a folder: ${staticDir}`);
}
