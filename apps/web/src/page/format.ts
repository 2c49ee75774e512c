/**
 * Text formats of the page: durations, ages, percentages, sizes. Pure functions, no DOM, so
 * the CLI shares them (`@runboard/web/format`): the page and the terminal say `3m 05s` alike.
 */

/**
 * A duration in seconds as its two largest units: `42s`, `3m 05s`, `2h 10m`, `3d 4h`.
 *
 * @example
 * formatDuration(3725); // '1h 02m'
 */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '—';
  const total = Math.max(0, Math.round(seconds));
  const days = Math.floor(total / 86_400);
  const hours = Math.floor((total % 86_400) / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const secs = total % 60;
  if (days > 0) return `${days}d ${hours}h`;
  if (hours > 0) return `${hours}h ${pad2(minutes)}m`;
  if (minutes > 0) return `${minutes}m ${pad2(secs)}s`;
  return `${secs}s`;
}

/**
 * How long ago `timeMs` was, short: `now`, `12s ago`, `5m ago`, `3h ago`, `2d ago`.
 *
 * @example
 * formatAge(Date.now() - 90_000, Date.now()); // '1m ago'
 */
export function formatAge(timeMs: number | null, nowMs: number): string {
  if (timeMs === null || !Number.isFinite(timeMs)) return '—';
  const seconds = Math.max(0, Math.floor((nowMs - timeMs) / 1000));
  if (seconds < 2) return 'now';
  if (seconds < 60) return `${seconds}s ago`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m ago`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)}h ago`;
  return `${Math.floor(seconds / 86_400)}d ago`;
}

/**
 * A percentage with one decimal below 10 % and none above: `3.5%`, `42%`, `100%`.
 *
 * @example
 * formatPercent(42.4); // '42%'
 */
export function formatPercent(percent: number | null): string {
  if (percent === null || !Number.isFinite(percent)) return '—';
  const clamped = Math.min(100, Math.max(0, percent));
  if (clamped > 0 && clamped < 10) return `${clamped.toFixed(1)}%`;
  return `${Math.floor(clamped)}%`;
}

/**
 * A byte count in binary units: `512 B`, `1.5 KiB`, `80.0 GiB`.
 *
 * @example
 * formatBytes(1536); // '1.5 KiB'
 */
export function formatBytes(bytes: number | null): string {
  if (bytes === null || !Number.isFinite(bytes)) return '—';
  const unit = binaryUnitOf(bytes);
  return `${inUnit(bytes, unit)} ${BINARY_UNITS[unit]}`;
}

/**
 * Used of total bytes, both in the total's unit: `115.7 / 140.4 GiB`, `0.0 / 140.4 GiB`.
 *
 * @example
 * formatBytesOf(2 * 1024 ** 3, 8 * 1024 ** 3); // '2.0 / 8.0 GiB'
 */
export function formatBytesOf(used: number | null, total: number | null): string {
  if (total === null || !Number.isFinite(total)) return formatBytes(used);
  const unit = binaryUnitOf(total);
  const usedText = used === null || !Number.isFinite(used) ? '—' : inUnit(used, unit);
  return `${usedText} / ${inUnit(total, unit)} ${BINARY_UNITS[unit]}`;
}

const BINARY_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'] as const;

function binaryUnitOf(bytes: number): number {
  let unit = 0;
  for (let value = Math.max(0, bytes); value >= 1024 && unit < BINARY_UNITS.length - 1;) {
    value /= 1024;
    unit += 1;
  }
  return unit;
}

function inUnit(bytes: number, unit: number): string {
  const value = Math.max(0, bytes) / 1024 ** unit;
  return unit === 0 ? String(Math.round(value)) : value.toFixed(1);
}

/**
 * A metric value with about four significant digits: `0.1234`, `12.35`, `1.2e-5`, `12,346`.
 *
 * @example
 * formatNumber(0.123456); // '0.1235'
 */
export function formatNumber(value: number | null): string {
  if (value === null || !Number.isFinite(value)) return '—';
  const magnitude = Math.abs(value);
  if (magnitude === 0) return '0';
  if (magnitude >= 10_000) return Math.round(value).toLocaleString('en-US');
  if (magnitude < 1e-3) return value.toExponential(1);
  return Number(value.toPrecision(4)).toString();
}

/**
 * A wall-clock time of day, `HH:MM:SS`, in the browser's time zone.
 *
 * @example
 * formatClock(Date.parse('2026-01-01T12:03:04')); // '12:03:04'
 */
export function formatClock(timeMs: number): string {
  const date = new Date(timeMs);
  return `${pad2(date.getHours())}:${pad2(date.getMinutes())}:${pad2(date.getSeconds())}`;
}

function pad2(value: number): string {
  return value < 10 ? `0${value}` : String(value);
}

/** Why a queued run waits, as the run record's `waiting` holds it (`RunWaiting`). */
export interface WaitingReason {
  reason: string;
  detail?: string | null;
  /** ISO-8601: when the wait ends, where that is known (a retry delay). */
  until?: string | null;
}

/**
 * A queued run's reason to wait in a few words, like `squeue`'s REASON column; the page and
 * the CLI say it the same way. Unknown reasons (from a newer launcher) show as they are.
 *
 * @example
 * formatWaiting({ reason: 'dependency', detail: 'prep/data' }); // 'waiting for dependency prep/data'
 * formatWaiting({ reason: 'retry-delay', until: '2026-01-01T14:02:10' }); // 'retry at 14:02:10'
 * formatWaiting({ reason: 'slurm', detail: 'Priority' }); // 'Slurm: Priority'
 */
export function formatWaiting(waiting: WaitingReason): string {
  const detail = waiting.detail?.trim() || null;
  const until = waiting.until ? Date.parse(waiting.until) : Number.NaN;
  switch (waiting.reason) {
    case 'slot':
      return 'waiting for a slot';
    case 'dependency':
      return detail ? `waiting for dependency ${detail}` : 'waiting for a dependency';
    case 'retry-delay':
      return Number.isNaN(until) ? 'waiting to retry' : `retry at ${formatClock(until)}`;
    case 'gpu-policy':
      return `GPU policy: ${detail ?? 'no GPU passes'}`;
    case 'gpu-slot':
      return detail ? `waiting for a GPU: ${detail}` : 'waiting for a free GPU';
    case 'slurm':
      return `Slurm: ${detail ?? 'pending'}`;
    case 'no-launcher':
      return 'no launcher is running';
    default:
      return detail ? `${waiting.reason}: ${detail}` : waiting.reason;
  }
}
