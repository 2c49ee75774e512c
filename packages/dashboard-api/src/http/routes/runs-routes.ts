import { join } from 'node:path';
import { Hono } from 'hono';
import type { Context, MiddlewareHandler } from 'hono';
import {
  InvalidRunIdError,
  RUN_FILES,
  isTerminalStatus,
  readControlRequest,
  requestCancel,
} from '@runboard/launcher';
import type { ControlRequest } from '@runboard/launcher';
import { InvalidRunQueryError } from '../../run-index/query.js';
import { MAX_LOG_TAIL_LINES, readLog } from '../../run-files/log-tail.js';
import { MAX_METRICS_POINTS, readMetricsHistory } from '../../run-files/metrics-history.js';
import {
  API_ERROR_CODES,
  ApiError,
  invalidQuery,
  methodNotAllowed,
  runNotFound,
} from '../api-error.js';
import type { DashboardAppContext, DashboardEnv } from '../dashboard-app-options.js';
import { liveStream } from '../live-stream.js';
import { createLogStream } from '../log-stream.js';
import { tokenAuth } from '../middleware/token-auth.js';
import { booleanParam, integerParam, runListQuery } from '../query-params.js';
import { runFolderOf } from '../run-folder.js';
import { parseRunPath } from '../run-path.js';
import type { RunAction } from '../run-path.js';

type RunsEnv = DashboardEnv & { Variables: { run: { id: string; action: RunAction } } };

/**
 * `/api/runs`: the list, one run (`/api/runs/<id>`), its `log` and `metrics`, and `cancel`.
 * Run ids contain `/`, so one wildcard route per method takes every run path.
 *
 * @example
 * app.route('/api/runs', runsRoutes(context));
 */
export function runsRoutes(app: DashboardAppContext): Hono<RunsEnv> {
  const { index } = app;
  const runs = new Hono<RunsEnv>();

  runs.get('/', (c) => {
    try {
      return c.json(index.list(runListQuery(c)));
    } catch (error) {
      if (error instanceof InvalidRunQueryError)
        throw invalidQuery(error.message, { cause: error });
      throw error;
    }
  });

  runs.get('/*', runPath, async (c) => {
    const { id, action } = c.var.run;
    if (action === 'cancel') throw methodNotAllowed('Cancel a run with POST');
    if (!index.has(id)) throw runNotFound(id);
    const runDir = await runFolderOf(index.root, id);
    if (action === 'view') {
      const [run, control] = await Promise.all([index.detail(id), readControl(runDir)]);
      if (!run) throw runNotFound(id);
      return c.json({ run, control });
    }
    if (action === 'metrics') {
      const limit = integerParam(c, 'limit', 1, MAX_METRICS_POINTS);
      const file = join(runDir, RUN_FILES.metrics);
      return c.json({ id, ...(await readRunFile(id, () => readMetricsHistory(file, { limit }))) });
    }
    return runLog(c, app, id, runDir);
  });

  runs.post(
    '/*',
    runPath,
    async (c, next) => {
      if (c.var.run.action !== 'cancel')
        throw methodNotAllowed('POST is not allowed here; use /api/runs/<id>/cancel');
      await next();
    },
    tokenAuth({
      token: app.token,
      message: 'Cancel needs Authorization: Bearer <token>',
      disabledMessage: 'Cancel is disabled: the dashboard was started without a token',
    }),
    async (c) => {
      const { id } = c.var.run;
      const run = index.get(id);
      if (!run) throw runNotFound(id);
      if (run.record && isTerminalStatus(run.record.status)) {
        throw new ApiError(
          409,
          API_ERROR_CODES.runFinished,
          `Run ${id} has already ${run.record.status}`,
        );
      }
      const runDir = await runFolderOf(index.root, id);
      const control = await requestCancel(runDir, { requestedBy: 'dashboard' });
      return c.json({ id, cancel: control.cancel ?? null }, 202);
    },
  );

  return runs;
}

/** Takes the run id and action from the URL path (400 `INVALID_RUN_ID` for a bad id). */
const runPath: MiddlewareHandler<RunsEnv> = async (c, next) => {
  try {
    c.set('run', parseRunPath(new URL(c.req.url).pathname));
  } catch (error) {
    if (error instanceof InvalidRunIdError)
      throw new ApiError(400, API_ERROR_CODES.invalidRunId, error.message, { cause: error });
    throw error;
  }
  await next();
};

/** `/log?tail=N&from=B`: a piece of the log, or with `follow=1` a stream of its appends. */
async function runLog(
  c: Context<RunsEnv>,
  app: DashboardAppContext,
  id: string,
  runDir: string,
): Promise<Response> {
  const tail = integerParam(c, 'tail', 0, MAX_LOG_TAIL_LINES);
  const from = integerParam(c, 'from', 0, Number.MAX_SAFE_INTEGER);
  if (booleanParam(c, 'follow')) {
    return liveStream(c, app, (options) =>
      createLogStream(id, runDir, {
        ...options,
        tail,
        from,
        recheckMs: app.logRecheckMs,
        onError: app.onInternalError,
      }),
    );
  }
  const file = join(runDir, RUN_FILES.log);
  return c.json({ id, ...(await readRunFile(id, () => readLog(file, { tail, from }))) });
}

async function readControl(runDir: string): Promise<ControlRequest | null> {
  try {
    return await readControlRequest(runDir);
  } catch {
    return null;
  }
}

/** A run file's answer; 422 `FILE_UNREADABLE` when it cannot be read (a link, not a file …). */
async function readRunFile<T>(id: string, read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'EIO';
    throw new ApiError(
      422,
      API_ERROR_CODES.fileUnreadable,
      `A file of run ${id} cannot be read (${code})`,
      { cause: error },
    );
  }
}
