import { num, text, wire } from './api-types.js';
import type {
  ApiCancelRequest,
  ApiControl,
  ApiErrorBody,
  ApiLogChunk,
  ApiLogEvent,
  ApiRunDetail,
  ApiRunListPage,
} from './api-types.js';
import { toRunRow } from './run-row.js';
import type { RunRow } from './run-row.js';

/** An error answer of the dashboard API (`{ "error": { "code", "message" } }`) or a network error. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** A piece of a run's log (see {@link ApiClient.getLog}). */
export interface LogPiece {
  text: string;
  /** Byte offset after `text`, to ask for what follows (`from`). */
  end: number | null;
  /** Whether `text` replaces what was shown (a tail) rather than continuing it. */
  reset: boolean;
  /** Whether the run has a log yet. */
  exists: boolean;
}

/** The largest page `GET /api/runs` serves. */
const PAGE_SIZE = 1000;

/**
 * The dashboard API, addressed relative to the page so a reverse proxy may serve it under a
 * sub-path. Run ids contain `/`; each segment is encoded on its own. When the page has a token
 * it goes with every request as `Authorization: Bearer` (a dashboard bound to a network
 * address wants it for reads too; on loopback only cancel needs it).
 */
export class ApiClient {
  constructor(
    private readonly getToken: () => string | null,
    private readonly base: string = document.baseURI,
  ) {}

  /** The headers every request carries. */
  authHeaders(): Record<string, string> {
    const token = this.getToken();
    return token ? { authorization: `Bearer ${token}` } : {};
  }

  /** Every run, following `nextCursor` page by page. */
  async listAllRuns(): Promise<RunRow[]> {
    const rows: RunRow[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 1000; page += 1) {
      const query = new URLSearchParams({ limit: String(PAGE_SIZE), sort: 'id' });
      if (cursor) query.set('cursor', cursor);
      const body = wire<ApiRunListPage>(await this.json(`api/runs?${query}`));
      if (Array.isArray(body.runs)) {
        for (const raw of body.runs) {
          const row = toRunRow(raw);
          if (row) rows.push(row);
        }
      }
      const next = text(body.nextCursor);
      if (next === null || next === cursor) break;
      cursor = next;
    }
    return rows;
  }

  /** One run and the requests pending for it (`control.json`). */
  async getRun(id: string): Promise<{ row: RunRow | undefined; cancelRequestedAt: string | null }> {
    const body = wire<ApiRunDetail>(await this.json(`api/runs/${encodeRunId(id)}`));
    const cancel = wire<ApiCancelRequest>(wire<ApiControl>(body.control).cancel);
    return { row: toRunRow(body.run), cancelRequestedAt: text(cancel.requestedAt) };
  }

  /**
   * A piece of the run's log (`GET /api/runs/<id>/log`, at most 1 MiB): the last `tail`
   * lines, or, with `from` (the `end` of an earlier answer), what was written since. The
   * server answers with a fresh tail (`reset`) when the log was truncated meanwhile.
   */
  async getLog(id: string, request: { tail: number } | { from: number }): Promise<LogPiece> {
    const query = 'from' in request ? `from=${request.from}` : `tail=${request.tail}`;
    const body = wire<ApiLogChunk>(await this.json(`api/runs/${encodeRunId(id)}/log?${query}`));
    return {
      text: typeof body.text === 'string' ? body.text : '',
      end: num(body.end),
      reset: !('from' in request) || body.reset === true,
      exists: body.exists !== false,
    };
  }

  /**
   * The URL of the run's log stream (`GET /api/runs/<id>/log?follow=1`): Server-Sent `log`
   * events, the first the last `tail` lines, then each piece appended to `run.log` (read them
   * with {@link toLogPiece}). Open it with `connectEvents`, which sends {@link authHeaders}.
   */
  logStreamUrl(id: string, tail: number): string {
    return new URL(`api/runs/${encodeRunId(id)}/log?follow=1&tail=${tail}`, this.base).href;
  }

  async getMetrics(id: string): Promise<unknown> {
    return this.json(`api/runs/${encodeRunId(id)}/metrics`);
  }

  async getSummary(): Promise<unknown> {
    return this.json('api/summary');
  }

  async getResources(): Promise<unknown> {
    return this.json('api/resources');
  }

  /** Asks the run to cancel; needs the dashboard's token. */
  async cancelRun(id: string): Promise<void> {
    await this.fetch(`api/runs/${encodeRunId(id)}/cancel`, { method: 'POST' });
  }

  private async json(path: string): Promise<unknown> {
    const response = await this.fetch(path);
    return response.json();
  }

  private async fetch(path: string, init: RequestInit = {}): Promise<Response> {
    let response: Response;
    try {
      response = await fetch(new URL(path, this.base), {
        ...init,
        headers: { accept: 'application/json', ...this.authHeaders() },
        cache: 'no-store',
      });
    } catch (error) {
      throw new ApiError(0, 'NETWORK', 'The dashboard server cannot be reached.', { cause: error });
    }
    if (!response.ok) {
      let code = `HTTP_${response.status}`;
      let message = `${response.status} ${response.statusText}`;
      try {
        const error = wire<ApiErrorBody['error']>(wire<ApiErrorBody>(await response.json()).error);
        code = text(error.code) ?? code;
        message = text(error.message) ?? message;
      } catch {
        // Not JSON; keep the status line.
      }
      throw new ApiError(response.status, code, message);
    }
    return response;
  }
}

/**
 * A `log` event of the log stream as a piece to show; `null` when it is not one.
 *
 * @example
 * const piece = toLogPiece({ id: 'a', text: 'epoch 3\n', end: 120, exists: true, reset: false });
 */
export function toLogPiece(data: unknown): LogPiece | null {
  const body = wire<ApiLogEvent>(data);
  if (typeof body.text !== 'string') return null;
  return {
    text: body.text,
    end: num(body.end),
    reset: body.reset === true,
    exists: body.exists !== false,
  };
}

/**
 * A run id as a URL path: each `/`-separated segment percent-encoded.
 *
 * @example
 * encodeRunId('sweep/lr=0.1,seed=2'); // 'sweep/lr%3D0.1%2Cseed%3D2'
 */
export function encodeRunId(id: string): string {
  return id.split('/').map(encodeURIComponent).join('/');
}
