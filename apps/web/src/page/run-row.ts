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
  message: string | null;
  error: string | null;
  metrics: Readonly<Record<string, number | null>>;
  /** The run record as the API sent it (null for an unreadable run). */
  record: Readonly<Record<string, unknown>> | null;
}

type Json = Record<string, unknown>;

/**
 * Normalises one run as the dashboard API sends it (`{ id, status, storedStatus, percent,
 * etaSeconds, updatedAt, readError, record }`); a bare run record is accepted too. Returns
 * `undefined` for anything without a string `id`.
 *
 * @example
 * toRunRow({ id: 'a', status: 'running', record: { progress: { current: 3, total: 10 } } });
 * // { id: 'a', status: 'running', percent: 30, … }
 */
export function toRunRow(raw: unknown): RunRow | undefined {
  if (!isObject(raw) || typeof raw['id'] !== 'string' || raw['id'] === '') return undefined;
  const record = isObject(raw['record']) ? raw['record'] : 'schemaVersion' in raw ? raw : null;
  const fields = record ?? raw;
  const stored = text(raw['storedStatus']) ?? text(record?.['status']);
  const status = text(raw['status']) ?? stored ?? 'unknown';
  const progress = isObject(fields['progress']) ? fields['progress'] : null;
  const current = num(progress?.['current']);
  const total = num(progress?.['total']);
  let percent = num(raw['percent']) ?? num(progress?.['percent']);
  if (percent === null && current !== null && total !== null && total > 0) {
    percent = (current / total) * 100;
  }
  if (percent === null && (stored ?? status) === 'succeeded') percent = 100;
  return {
    id: raw['id'],
    status,
    storedStatus: stored !== null && stored !== status ? stored : null,
    percent: percent === null ? null : Math.min(100, Math.max(0, percent)),
    current,
    total,
    unit: text(progress?.['unit']),
    etaSeconds: num(raw['etaSeconds']) ?? num(progress?.['etaSeconds']),
    updatedAtMs: time(fields['updatedAt']) ?? time(raw['updatedAt']),
    attempt: num(fields['attempt']),
    maxAttempts: num(fields['maxAttempts']),
    gpus: Array.isArray(fields['gpus'])
      ? fields['gpus'].filter((gpu): gpu is number => typeof gpu === 'number')
      : [],
    host: text(fields['host']),
    message: text(progress?.['message']),
    error: errorText(raw['readError']) ?? errorText(fields['error']),
    metrics: metricsOf(fields['metrics']),
    record,
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
    a.message === b.message &&
    a.gpus.join(',') === b.gpus.join(',')
  );
}

export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function text(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

function num(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

function time(value: unknown): number | null {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value !== 'string') return null;
  const parsed = Date.parse(value);
  return Number.isNaN(parsed) ? null : parsed;
}

function errorText(value: unknown): string | null {
  if (typeof value === 'string') return value || null;
  if (isObject(value)) {
    const message = text(value['message']);
    const code = text(value['code']);
    if (message && code) return `${code}: ${message}`;
    return message ?? code;
  }
  return null;
}

function metricsOf(value: unknown): Record<string, number | null> {
  const metrics: Record<string, number | null> = {};
  if (!isObject(value)) return metrics;
  for (const [name, metric] of Object.entries(value)) {
    if (typeof metric === 'number' || metric === null) metrics[name] = metric;
  }
  return metrics;
}
