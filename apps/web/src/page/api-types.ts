/**
 * The dashboard API's answers, as the page reads them. Where the API names a plain interface
 * the page takes it as is, as a type only: the page runs in the browser without a bundler, so
 * nothing of `@runboard/dashboard-api` is loaded, and `tsconfig.page.json` reads the packages'
 * declarations (without Node's types). The run record, its progress and the control requests
 * are zod objects that allow extra fields, so the page names the fields it reads of them here;
 * `test/api-contract.test.ts` checks at compile time that the API's types still fit these, and
 * at run time that a real app's answers read back field for field. Normalisers read answers
 * through {@link Wire} views of these types, so a field name the API does not send does not
 * compile.
 */
import type {
  ApiErrorBody as DashboardErrorBody,
  DashboardSummary,
  DashboardNotice,
  GpuProcessView,
  GpuView,
  LogChunk,
  MetricsHistory,
  NoticesBody,
  ResourcesSnapshot,
  RunListPage,
  RunReadProblem,
  RunView,
  ServerResourcesView,
} from '@runboard/dashboard-api';
import type { MetricsLine } from '@runboard/launcher';

/** `progress` of a run record. */
export interface ApiProgress {
  current: number;
  total?: number | null;
  unit?: string | null;
  percent?: number | null;
  etaSeconds?: number | null;
  message?: string | null;
}

/** `waiting` of a queued run: why it has not started yet (the launcher's `RunWaiting`). */
export interface ApiWaiting {
  reason: string;
  detail?: string | null;
  until?: string | null;
  since?: string | null;
}

/** The run record (`progress.json`), the fields the page shows. */
export interface ApiRunRecord {
  status: string;
  attempt: number;
  maxAttempts?: number;
  command: string[] | string;
  host?: string | null;
  pid?: number | null;
  gpus?: number[] | null;
  startedAt?: string | null;
  finishedAt?: string | null;
  updatedAt: string;
  exitCode?: number | null;
  signal?: string | null;
  error?: string | null;
  /** The job's last output lines when it failed (the detail's record has it; list rows may not). */
  errorTail?: string[] | null;
  waiting?: ApiWaiting | null;
  progress?: ApiProgress | null;
  metrics?: Record<string, number | null> | null;
}

/** Why the latest read of a run's `progress.json` failed. */
export type ApiReadProblem = RunReadProblem;

/**
 * A run in `GET /api/runs`, `GET /api/runs/<id>` and the SSE `run` event. `waiting` (why a
 * queued run waits, `no-launcher` included) is new in the API: the page reads it where the
 * server sends it and falls back to the record's own `waiting`.
 */
export type ApiRunView = RunView & { waiting?: ApiWaiting | null };

/** `GET /api/runs`. */
export type ApiRunListPage = RunListPage;

/** A pending cancel request in `control.json`. */
export interface ApiCancelRequest {
  requestedAt: string;
}

/** `ControlRequest`: the requests pending for a run (`control.json`). */
export interface ApiControl {
  cancel?: ApiCancelRequest;
}

/** `GET /api/runs/<id>`: the run and its pending requests, `null` when there are none. */
export interface ApiRunDetail {
  run: ApiRunView;
  control: ApiControl | null;
}

/** `GET /api/runs/<id>/log` (and the id). */
export type ApiLogChunk = LogChunk & { id: string };

/**
 * The `log` event of `GET /api/runs/<id>/log?follow=1`: first the tail (`reset: true`), then
 * each appended piece; `reset` again when the log was truncated.
 */
export type ApiLogEvent = ApiLogChunk;

/** One line of `metrics.jsonl`. */
export type ApiMetricsPoint = MetricsLine;

/** `GET /api/runs/<id>/metrics` (and the id). */
export type ApiMetricsHistory = MetricsHistory & { id: string };

/** `indexing` of the summary: how far the server's first index of the root is. */
export interface ApiIndexing {
  indexed: number;
  total: number | null;
}

/**
 * `GET /api/summary` and the SSE `summary` event. `percent` is the progress of the work that
 * can still complete; `endedUnsuccessful` (failed, cancelled, blocked) and `indexing` (`null`
 * once the index is complete) are new in the API: the page copes without them.
 */
export type ApiSummary = DashboardSummary & {
  indexing?: ApiIndexing | null;
  endedUnsuccessful?: number;
};

/** The SSE `removed` event. */
export interface ApiRemovedEvent {
  id: string;
}

/** A process on a GPU, with the run it belongs to when the server can tell. */
export type ApiGpuProcess = GpuProcessView;

/** One GPU as `nvidia-smi` reports it. */
export type ApiGpu = GpuView;

/**
 * `GET /api/resources` and the SSE `resources` event of `/api/events`. `servers` (the SSH
 * pool) is new in the API: the page copes without it.
 */
export type ApiResources = ResourcesSnapshot;

/** One server of the SSH pool in {@link ApiResources}. */
export type ApiServerResources = ServerResourcesView;

/** `GET /api/notices` and the SSE `notices` event: how the root is watched, and why. */
export type ApiNotices = NoticesBody;

/** One notice about the dashboard (e.g. that a root on a shared file system is polled). */
export type ApiNotice = DashboardNotice;

/** Every error answer. */
export type ApiErrorBody = DashboardErrorBody;

/**
 * An answer as it arrives: any of `T`'s fields may be missing or of another type, and nothing
 * but `T`'s fields can be read. Check each value before use.
 */
export type Wire<T> = { readonly [K in keyof T]?: unknown };

/** `value` as a {@link Wire} view of `T` when it is a JSON object, else an empty one. */
export function wire<T>(value: unknown): Wire<T> {
  return isObject(value) ? (value as Wire<T>) : {};
}

/**
 * The entries of a JSON array, each read by `read`; an entry it turns down (`null` or
 * `undefined`) is dropped, and anything but an array reads as none.
 *
 * @example
 * listOf([{ index: 0 }, 'junk'], toGpu); // [the GPU of index 0]
 */
export function listOf<T>(value: unknown, read: (entry: unknown) => T | null | undefined): T[] {
  return Array.isArray(value) ? value.flatMap((entry: unknown) => read(entry) ?? []) : [];
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A non-empty string, or `null`. */
export function text(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

/** A finite number, or `null`. */
export function num(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/** An ISO-8601 time in ms since the epoch, or `null`. */
export function time(value: unknown): number | null {
  if (typeof value !== 'string') return null;
  const parsed = Date.parse(value);
  return Number.isNaN(parsed) ? null : parsed;
}
