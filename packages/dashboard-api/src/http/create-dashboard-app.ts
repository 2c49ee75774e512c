import { createHmac } from 'node:crypto';
import { realpathSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Hono } from 'hono';
import type { Context, MiddlewareHandler } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import { secureHeaders } from 'hono/secure-headers';
import {
  InvalidRunIdError,
  RUN_FILES,
  isTerminalStatus,
  readControlRequest,
  requestCancel,
  resolveRunDir,
} from '@runboard/launcher';
import type { ControlRequest } from '@runboard/launcher';
import { MAX_RUN_LIST_LIMIT, InvalidRunQueryError } from '../run-index/query.js';
import type { RunListQuery, RunSortKey, SortOrder } from '../run-index/query.js';
import type { RunIndex } from '../run-index/run-index.js';
import type { DashboardStatus } from '../run-index/dashboard-status.js';
import { MAX_LOG_TAIL_LINES, readLog } from '../run-files/log-tail.js';
import { MAX_METRICS_POINTS, readMetricsHistory } from '../run-files/metrics-history.js';
import { ResourceFeed } from '../resources/resource-feed.js';
import { ResourceSampler } from '../resources/resource-sampler.js';
import type { ResourceSamplerOptions } from '../resources/resource-sampler.js';
import { API_ERROR_CODES, ApiError, errorBody } from './api-error.js';
import { createEventStream } from './event-stream.js';
import { createLogStream } from './log-stream.js';
import { LOOPBACK_HOSTNAMES, hostnameOfHeader, normalizeHostname } from './host-check.js';
import { parseRunPath } from './run-path.js';
import { findStaticFile, staticFileResponse } from './static-files.js';
import { bearerTokenOf, tokensMatch } from './token.js';

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
  /** Options of the resources sampler (`GET /api/resources`), or a sampler to share. */
  resources?: ResourceSampler | ResourceSamplerOptions;
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
}

const SESSION_COOKIE = 'runboard_session';
const SSE_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache, no-transform',
  'x-accel-buffering': 'no',
} as const;
const KNOWN_API_PATHS = /^\/api\/(runs(\/.*)?|summary|resources|events|session)$/;

/**
 * The dashboard's HTTP API as a Hono app (JSON; errors as `{ "error": { "code", "message" } }`).
 * Serve it with `startDashboardServer`, or any Hono adapter; test it with `app.request()`.
 *
 * @example
 * const index = await RunIndex.open({ root: 'logs' });
 * const app = createDashboardApp({ index, token: process.env.RUNBOARD_TOKEN });
 * const response = await app.request('/api/runs?status=running&limit=10');
 * console.log(await response.json()); // { runs: [...], nextCursor, total, counts }
 */
export function createDashboardApp(options: DashboardAppOptions): Hono {
  if (
    typeof options !== 'object' ||
    options === null ||
    typeof options.index?.list !== 'function'
  ) {
    throw new TypeError('Expected `index` to be a RunIndex');
  }
  const { index } = options;
  if (
    options.token !== undefined &&
    (typeof options.token !== 'string' || options.token.length < 1)
  ) {
    throw new TypeError('Expected `token` to be a non-empty string');
  }
  if (options.protectReads && !options.token) {
    throw new TypeError('`protectReads` needs a `token`');
  }
  const token = options.token;
  const sessionValue = token
    ? createHmac('sha256', token).update('runboard-session-v1').digest('base64url')
    : '';
  const allowedHosts = new Set([
    ...LOOPBACK_HOSTNAMES,
    ...(options.allowedHosts ?? []).map(normalizeHostname),
  ]);
  const anyHost = allowedHosts.has('*');
  const staticRoot =
    options.staticDir === undefined ? undefined : checkStaticDir(options.staticDir);
  const keepAliveMs = options.keepAliveMs ?? 15_000;
  const maxBufferedBytes = options.maxBufferedBytes ?? 4 * 1024 * 1024;
  const sampler =
    options.resources instanceof ResourceSampler
      ? options.resources
      : new ResourceSampler({ runIdForPid: () => index.localRunPids(), ...options.resources });
  const onInternalError =
    options.onInternalError ?? ((error) => console.error('runboard dashboard:', error));
  const resourceFeed = new ResourceFeed(sampler, {
    intervalMs: options.resourcesIntervalMs ?? 5000,
  });
  const logRecheckMs = options.logRecheckMs ?? 2000;
  if (!Number.isInteger(logRecheckMs) || logRecheckMs < 1) {
    throw new TypeError('Expected `logRecheckMs` to be a positive integer');
  }

  const app = new Hono();

  app.onError((error, c) => {
    if (error instanceof ApiError) {
      if (error.status === 401) c.header('www-authenticate', 'Bearer realm="runboard"');
      return c.json(errorBody(error.code, error.message), error.status);
    }
    if (error instanceof InvalidRunIdError)
      return c.json(errorBody(API_ERROR_CODES.invalidRunId, error.message), 400);
    if (error instanceof InvalidRunQueryError) {
      return c.json(errorBody(API_ERROR_CODES.invalidQuery, error.message), 400);
    }
    onInternalError(error);
    return c.json(
      errorBody(API_ERROR_CODES.internal, 'Internal error; see the dashboard server log'),
      500,
    );
  });
  app.notFound((c) => {
    const path = c.req.path;
    if (KNOWN_API_PATHS.test(path)) {
      return c.json(
        errorBody(API_ERROR_CODES.methodNotAllowed, `${c.req.method} is not allowed on ${path}`),
        405,
      );
    }
    return c.json(errorBody(API_ERROR_CODES.notFound, `Nothing at ${path}`), 404);
  });

  const checkHost: MiddlewareHandler = async (c, next) => {
    if (!anyHost) {
      // The Host header is what a DNS-rebinding page cannot forge; an absolute-form request
      // target (`GET http://other/...`) names a host too, and both must be ours.
      const urlHost = new URL(c.req.url).host;
      for (const host of new Set([c.req.header('host') ?? urlHost, urlHost])) {
        const hostname = hostnameOfHeader(host);
        if (hostname === undefined || !allowedHosts.has(hostname)) {
          throw new ApiError(
            403,
            API_ERROR_CODES.hostNotAllowed,
            `Host ${JSON.stringify(host)} is not allowed; add it to the dashboard's allowed hosts`,
          );
        }
      }
    }
    await next();
  };
  app.use('*', checkHost);
  app.use(
    '*',
    secureHeaders({
      xFrameOptions: 'DENY',
      strictTransportSecurity: false,
      crossOriginEmbedderPolicy: false,
    }),
  );

  const guardApi: MiddlewareHandler = async (c, next) => {
    if (c.req.method !== 'GET' && c.req.method !== 'HEAD') checkOrigin(c);
    if (options.protectReads && !(isBearerAuthorized(c) || isSessionAuthorized(c))) {
      throw unauthorized('This dashboard needs its token: send Authorization: Bearer <token>');
    }
    await next();
    c.header('cache-control', 'no-store');
  };
  app.use('/api/*', guardApi);

  const checkOrigin = (c: Context): void => {
    const origin = c.req.header('origin');
    if (origin === undefined || anyHost) return;
    let hostname: string | undefined;
    try {
      hostname = hostnameOfHeader(new URL(origin).host);
    } catch {
      hostname = undefined;
    }
    if (hostname === undefined || !allowedHosts.has(hostname)) {
      throw new ApiError(
        403,
        API_ERROR_CODES.originNotAllowed,
        `Origin ${JSON.stringify(origin)} is not allowed`,
      );
    }
  };
  const isBearerAuthorized = (c: Context): boolean => {
    const given = bearerTokenOf(c.req.header('authorization'));
    return token !== undefined && given !== undefined && tokensMatch(given, token);
  };
  const isSessionAuthorized = (c: Context): boolean => {
    const cookie = getCookie(c, SESSION_COOKIE);
    return token !== undefined && cookie !== undefined && tokensMatch(cookie, sessionValue);
  };

  app.get('/healthz', (c) => {
    c.header('cache-control', 'no-store');
    return c.json({ status: 'ok', runs: index.size, watchMode: index.watchMode });
  });

  app.get('/api/runs', (c) => c.json(index.list(runListQuery(c))));

  app.get('/api/runs/*', async (c) => {
    const { id, action } = parseRunPath(new URL(c.req.url).pathname);
    if (action === 'cancel') {
      throw new ApiError(405, API_ERROR_CODES.methodNotAllowed, 'Cancel a run with POST');
    }
    const run = index.get(id);
    if (!run) throw runNotFound(id);
    const runDir = resolveRunDir(index.root, id);
    if (action === 'view') return c.json({ run, control: await readControl(runDir) });
    if (action === 'log') {
      const tail = integerParam(c, 'tail', 0, MAX_LOG_TAIL_LINES);
      const from = integerParam(c, 'from', 0, Number.MAX_SAFE_INTEGER);
      if (booleanParam(c, 'follow')) {
        const body = createLogStream(id, runDir, {
          tail,
          from,
          recheckMs: logRecheckMs,
          keepAliveMs,
          maxBufferedBytes,
          signal: c.req.raw.signal,
          onError: onInternalError,
        });
        return c.body(body, 200, SSE_HEADERS);
      }
      const log = await readRunFile(id, () => readLog(join(runDir, RUN_FILES.log), { tail, from }));
      return c.json({ id, ...log });
    }
    const limit = integerParam(c, 'limit', 1, MAX_METRICS_POINTS);
    const history = await readRunFile(id, () =>
      readMetricsHistory(join(runDir, RUN_FILES.metrics), { limit }),
    );
    return c.json({ id, ...history });
  });

  app.post('/api/runs/*', async (c) => {
    const { id, action } = parseRunPath(new URL(c.req.url).pathname);
    if (action !== 'cancel') {
      throw new ApiError(
        405,
        API_ERROR_CODES.methodNotAllowed,
        `POST is not allowed here; use /api/runs/<id>/cancel`,
      );
    }
    if (!token) {
      throw new ApiError(
        403,
        API_ERROR_CODES.cancelDisabled,
        'Cancel is disabled: the dashboard was started without a token',
      );
    }
    if (!isBearerAuthorized(c)) throw unauthorized('Cancel needs Authorization: Bearer <token>');
    const run = index.get(id);
    if (!run) throw runNotFound(id);
    if (run.record && isTerminalStatus(run.record.status)) {
      throw new ApiError(
        409,
        API_ERROR_CODES.runFinished,
        `Run ${id} has already ${run.record.status}`,
      );
    }
    const control = await requestCancel(resolveRunDir(index.root, id), {
      requestedBy: 'dashboard',
    });
    return c.json({ id, cancel: control.cancel ?? null }, 202);
  });

  app.post('/api/session', (c) => {
    if (!token)
      throw new ApiError(403, API_ERROR_CODES.cancelDisabled, 'The dashboard has no token');
    if (!isBearerAuthorized(c)) throw unauthorized('A session needs Authorization: Bearer <token>');
    setCookie(c, SESSION_COOKIE, sessionValue, {
      httpOnly: true,
      sameSite: 'Strict',
      path: '/api',
    });
    return c.body(null, 204);
  });

  app.get('/api/summary', (c) => c.json(index.summary()));

  app.get('/api/resources', async (c) => c.json(await sampler.sample()));

  app.get('/api/events', (c) => {
    const body = createEventStream(index, {
      keepAliveMs,
      maxBufferedBytes,
      signal: c.req.raw.signal,
      resources: resourceFeed,
    });
    return c.body(body, 200, SSE_HEADERS);
  });

  if (staticRoot !== undefined) {
    app.on(['GET', 'HEAD'], '*', async (c, next) => {
      if (c.req.path.startsWith('/api/')) return next();
      const file = await findStaticFile(staticRoot, new URL(c.req.url).pathname);
      if (!file) return next();
      return staticFileResponse(file, c.req.method);
    });
  }

  return app;
}

function runListQuery(c: Context): RunListQuery {
  const status = (c.req.queries('status') ?? [])
    .flatMap((value) => value.split(','))
    .map((value) => value.trim())
    .filter((value) => value !== '');
  const limit = integerParam(c, 'limit', 1, MAX_RUN_LIST_LIMIT);
  return {
    status: status as DashboardStatus[],
    q: c.req.query('q'),
    sort: c.req.query('sort') as RunSortKey | undefined,
    order: c.req.query('order') as SortOrder | undefined,
    limit,
    cursor: c.req.query('cursor') || undefined,
  };
}

function integerParam(c: Context, name: string, min: number, max: number): number | undefined {
  const text = c.req.query(name);
  if (text === undefined || text === '') return undefined;
  const value = /^\d{1,16}$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new ApiError(
      400,
      API_ERROR_CODES.invalidQuery,
      `${name} must be an integer from ${min} to ${max}`,
    );
  }
  return value;
}

function booleanParam(c: Context, name: string): boolean {
  const text = c.req.query(name);
  if (text === undefined || text === '' || text === '0' || text === 'false') return false;
  if (text === '1' || text === 'true') return true;
  throw new ApiError(400, API_ERROR_CODES.invalidQuery, `${name} must be 1, true, 0 or false`);
}

async function readControl(runDir: string): Promise<ControlRequest | null> {
  try {
    return await readControlRequest(runDir);
  } catch {
    return null;
  }
}

async function readRunFile<T>(id: string, read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'EIO';
    throw new ApiError(
      422,
      API_ERROR_CODES.fileUnreadable,
      `A file of run ${id} cannot be read (${code})`,
      {
        cause: error,
      },
    );
  }
}

function runNotFound(id: string): ApiError {
  return new ApiError(404, API_ERROR_CODES.runNotFound, `No run ${JSON.stringify(id)}`);
}

function unauthorized(message: string): ApiError {
  return new ApiError(401, API_ERROR_CODES.unauthorized, message);
}

function checkStaticDir(staticDir: string): string {
  if (typeof staticDir !== 'string' || staticDir === '') {
    throw new TypeError('Expected `staticDir` to be a non-empty string');
  }
  try {
    const real = realpathSync(staticDir);
    if (statSync(real).isDirectory()) return real;
  } catch {
    // Reported below.
  }
  throw new TypeError(`Expected \`staticDir\` to be a folder: ${staticDir}`);
}
