import { num, text, time, wire } from './api-types.js';
import type {
  ApiProgress,
  ApiReadProblem,
  ApiRunRecord,
  ApiRunView,
  ApiWaiting,
} from './api-types.js';
import type { WaitingReason } from './format.js';

/**
 * What the page keeps of a run: the fields of the dashboard API's run view that the table and
 * the detail panel show, normalised once when a run arrives (from `GET /api/runs` or an SSE
 * `run` event) so that rendering never has to guess.
 */
export interface RunRow {
  id: string;
  /** The status shown: stored, derived (`stalled`, `stuck`, `outdated`) or `unreadable`. */
  status: string;
  /** The status stored in the record, when it differs from the shown one. */
  storedStatus: string | null;
  /** 0–100, or null when the run reports no total. */
  percent: number | null;
  current: number | null;
  total: number | null;
  unit: string | null;
  /** Remaining seconds as of `updatedAtMs`. */
  etaSeconds: number | null;
  updatedAtMs: number | null;
  attempt: number | null;
  maxAttempts: number | null;
  gpus: readonly number[];
  host: string | null;
  /** The job's pid. */
  pid: number | null;
  startedAtMs: number | null;
  finishedAtMs: number | null;
  /** The job: an argv array, or a string run by `sh -c`; `null` when unknown. */
  command: readonly string[] | string | null;
  exitCode: number | null;
  signal: string | null;
  message: string | null;
  /** The read error of an unreadable run, else the run's own error (plain words). */
  error: string | null;
  /** The job's last output lines when it failed; empty where the list row left them out. */
  errorTail: readonly string[];
  /** Why a queued run (or a `starting` Slurm job still pending) waits; `null` for the others. */
  waiting: WaitingReason | null;
  metrics: Readonly<Record<string, number | null>>;
}

/**
 * Normalises one run as the dashboard API sends it (`{ id, status, storedStatus, percent,
 * etaSeconds, updatedAt, readError, record }`). Returns `undefined` for anything without a
 * string `id`. An unreadable run keeps the fields of its last good record, if any.
 *
 * @example
 * toRunRow({ id: 'a', status: 'running', percent: 30, record: { progress: { current: 3, total: 10 } } });
 * // { id: 'a', status: 'running', percent: 30, current: 3, … }
 */
export function toRunRow(raw: unknown): RunRow | undefined {
  const view = wire<ApiRunView>(raw);
  const id = text(view.id);
  if (id === null) return undefined;
  const record = wire<ApiRunRecord>(view.record);
  const stored = text(view.storedStatus);
  const status = text(view.status) ?? stored ?? 'unknown';
  const progress = wire<ApiProgress>(record.progress);
  const current = num(progress.current);
  const total = num(progress.total);
  const percent = num(view.percent);
  const command = record.command;
  return {
    id,
    status,
    storedStatus: stored !== null && stored !== status ? stored : null,
    percent: percent === null ? null : Math.min(100, Math.max(0, percent)),
    current,
    total,
    unit: text(progress.unit),
    etaSeconds: num(view.etaSeconds),
    updatedAtMs: time(view.updatedAt),
    attempt: num(record.attempt),
    maxAttempts: num(record.maxAttempts),
    gpus: Array.isArray(record.gpus)
      ? record.gpus.filter((gpu): gpu is number => typeof gpu === 'number')
      : [],
    host: text(record.host),
    pid: num(record.pid),
    startedAtMs: time(record.startedAt),
    finishedAtMs: time(record.finishedAt),
    command:
      typeof command === 'string'
        ? command
        : Array.isArray(command)
          ? command.map((word) => String(word))
          : null,
    exitCode: num(record.exitCode),
    signal: text(record.signal),
    message: text(progress.message),
    error: readErrorText(view.readError) ?? text(record.error),
    errorTail: Array.isArray(record.errorTail)
      ? record.errorTail.filter((line): line is string => typeof line === 'string')
      : [],
    // A submitted Slurm job stays `starting` while it pends: the server sends Slurm's reason.
    waiting:
      status === 'queued' || status === 'starting'
        ? waitingOf('waiting' in view ? view.waiting : record.waiting)
        : null,
    metrics: metricsOf(record.metrics),
  };
}

/** The remaining seconds of a run at `nowMs`: its ETA counted down from its last update. */
export function remainingSeconds(row: RunRow, nowMs: number): number | null {
  if (row.etaSeconds === null) return null;
  if (row.updatedAtMs === null) return row.etaSeconds;
  return Math.max(0, row.etaSeconds - Math.max(0, nowMs - row.updatedAtMs) / 1000);
}

/** Whether two rows would render the same (so an unchanged event costs no DOM work). */
export function sameRow(a: RunRow, b: RunRow): boolean {
  return (
    a.status === b.status &&
    a.percent === b.percent &&
    a.current === b.current &&
    a.total === b.total &&
    a.etaSeconds === b.etaSeconds &&
    a.updatedAtMs === b.updatedAtMs &&
    a.attempt === b.attempt &&
    a.maxAttempts === b.maxAttempts &&
    a.error === b.error &&
    a.errorTail.join('\n') === b.errorTail.join('\n') &&
    waitingKey(a.waiting) === waitingKey(b.waiting) &&
    a.message === b.message &&
    a.gpus.join(',') === b.gpus.join(',')
  );
}

function waitingOf(value: unknown): WaitingReason | null {
  const waiting = wire<ApiWaiting>(value);
  const reason = text(waiting.reason);
  if (reason === null) return null;
  return { reason, detail: text(waiting.detail), until: text(waiting.until) };
}

function waitingKey(waiting: WaitingReason | null): string {
  return waiting === null ? '' : `${waiting.reason}|${waiting.detail ?? ''}|${waiting.until ?? ''}`;
}

function readErrorText(value: unknown): string | null {
  const problem = wire<ApiReadProblem>(value);
  const message = text(problem.message);
  const code = text(problem.code);
  if (message && code) return `${code}: ${message}`;
  return message ?? code;
}

function metricsOf(value: unknown): Record<string, number | null> {
  const metrics: Record<string, number | null> = {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return metrics;
  for (const [name, metric] of Object.entries(value)) {
    if (typeof metric === 'number' || metric === null) metrics[name] = metric;
  }
  return metrics;
}
