/**
 * The dashboard API's answers (`@runboard/dashboard-api`), as far as the page reads them: the
 * same field names and types, fewer fields. The page is compiled for the browser without Node
 * types, so it cannot import the API's own types; `test/api-contract.test.ts` checks at compile
 * time that the API's types still fit these, and at run time that a real app's answers read
 * back field for field. Normalisers read answers through {@link Wire} views of these types, so
 * a field name the API does not send does not compile.
 */

/** `progress` of a run record. */
export interface ApiProgress {
  current: number;
  total?: number | null;
  unit?: string | null;
  percent?: number | null;
  etaSeconds?: number | null;
  message?: string | null;
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
  progress?: ApiProgress | null;
  metrics?: Record<string, number | null> | null;
}

/** `RunReadProblem`: why the latest read of a run's `progress.json` failed. */
export interface ApiReadProblem {
  code: string;
  message: string;
  at: string;
}

/** `RunView`: a run in `GET /api/runs`, `GET /api/runs/<id>` and the SSE `run` event. */
export interface ApiRunView {
  id: string;
  status: string;
  storedStatus: string | null;
  percent: number | null;
  etaSeconds: number | null;
  updatedAt: string | null;
  readError: ApiReadProblem | null;
  record: ApiRunRecord | null;
}

/** `RunListPage`: `GET /api/runs`. */
export interface ApiRunListPage {
  runs: ApiRunView[];
  nextCursor: string | null;
  total: number;
}

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

/** `GET /api/runs/<id>/log` (`LogChunk` and the id). */
export interface ApiLogChunk {
  text: string;
  end: number;
  exists: boolean;
  reset: boolean;
}

/**
 * The `log` event of `GET /api/runs/<id>/log?follow=1` (`LogChunk` and the id): first the tail
 * (`reset: true`), then each appended piece; `reset` again when the log was truncated.
 */
export interface ApiLogEvent extends ApiLogChunk {
  id: string;
}

/** One line of `metrics.jsonl` (`MetricsLine`). */
export interface ApiMetricsPoint {
  time: string;
  percent?: number | null;
  metrics?: Record<string, number | null>;
}

/** `GET /api/runs/<id>/metrics` (`MetricsHistory` and the id). */
export interface ApiMetricsHistory {
  points: Record<string, unknown>[];
}

/** `DashboardSummary`: `GET /api/summary` and the SSE `summary` event. */
export interface ApiSummary {
  total: number;
  percent: number | null;
  etaSeconds: number | null;
  generatedAt: string;
}

/** The SSE `removed` event. */
export interface ApiRemovedEvent {
  id: string;
}

/** `GpuProcessView`: a process on a GPU, with the run it belongs to when the server can tell. */
export interface ApiGpuProcess {
  pid: number;
  name: string | null;
  usedMemoryMiB: number | null;
  runId: string | null;
}

/** `GpuView`: one GPU as `nvidia-smi` reports it. */
export interface ApiGpu {
  index: number;
  uuid: string;
  name: string;
  memoryTotalMiB: number | null;
  memoryUsedMiB: number | null;
  utilizationPercent: number | null;
  processes: ApiGpuProcess[];
}

/** `ResourcesSnapshot`: `GET /api/resources` and the SSE `resources` event of `/api/events`. */
export interface ApiResources {
  hostname: string;
  sampledAt: string;
  cpu: {
    cores: number;
    model: string | null;
    loadAverage: [number, number, number];
    utilizationPercent: number | null;
  };
  memory: { totalBytes: number; usedBytes: number };
  gpus: ApiGpu[];
  gpuUnavailableReason: string | null;
}

/** `ApiErrorBody`: every error answer. */
export interface ApiErrorBody {
  error: { code: string; message: string };
}

/**
 * An answer as it arrives: any of `T`'s fields may be missing or of another type, and nothing
 * but `T`'s fields can be read. Check each value before use.
 */
export type Wire<T> = { readonly [K in keyof T]?: unknown };

/** `value` as a {@link Wire} view of `T` when it is a JSON object, else an empty one. */
export function wire<T>(value: unknown): Wire<T> {
  return isObject(value) ? (value as Wire<T>) : {};
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
