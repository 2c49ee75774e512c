import type { ProgressReport, ReportedMetrics } from './progress-report.js';
import { parseRelaxedJson } from './relaxed-json.js';

/** The prefix of a progress line: `##runboard {"current": 3, "total": 10}`. */
export const MARKER_PREFIX = '##runboard';

const MAX_MESSAGE_LENGTH = 1000;
const MAX_UNIT_LENGTH = 64;

/** The outcome of parsing a marker line: a report, or why the line was rejected. */
export type MarkerParseResult =
  { ok: true; report: ProgressReport } | { ok: false; problem: string };

/**
 * Parses one output line as a progress marker. Returns `undefined` when the line is not a
 * marker line at all (it does not start with `##runboard` after optional whitespace).
 *
 * The JSON object may hold `current` (number ≥ 0), `total` (number > 0, or `null` for
 * unknown), `unit`, `message` (strings or `null`) and `metrics` (an object of numbers).
 * Python's `NaN`, `Infinity` and `-Infinity` tokens are accepted and become `null`, as do
 * those values in `metrics`; metric values that are not numbers are dropped. Other keys are
 * ignored.
 *
 * @example
 * parseMarkerLine('##runboard {"current": 3, "total": 10, "metrics": {"loss": NaN}}');
 * // { ok: true, report: { current: 3, total: 10, metrics: { loss: null } } }
 */
export function parseMarkerLine(line: string): MarkerParseResult | undefined {
  const start = line.trimStart();
  if (!start.startsWith(MARKER_PREFIX)) return undefined;
  const payload = start.slice(MARKER_PREFIX.length);
  if (payload.length > 0 && !/^\s/.test(payload)) return undefined;
  let value: unknown;
  try {
    value = parseRelaxedJson(payload.trim());
  } catch {
    return { ok: false, problem: 'the text after ##runboard is not JSON' };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return { ok: false, problem: 'the text after ##runboard is not a JSON object' };
  }
  return reportFromObject(value as Record<string, unknown>);
}

function reportFromObject(fields: Record<string, unknown>): MarkerParseResult {
  const report: ProgressReport = {};
  if ('current' in fields && fields.current !== null) {
    const current = fields.current;
    if (typeof current !== 'number' || !Number.isFinite(current) || current < 0) {
      return { ok: false, problem: '`current` must be a finite number ≥ 0' };
    }
    report.current = current;
  }
  if ('total' in fields) {
    const total = fields.total;
    if (total !== null && (typeof total !== 'number' || !Number.isFinite(total) || total <= 0)) {
      return { ok: false, problem: '`total` must be a finite number > 0 or null' };
    }
    report.total = total;
  }
  for (const key of ['unit', 'message'] as const) {
    if (!(key in fields)) continue;
    const text = fields[key];
    if (text !== null && typeof text !== 'string') {
      return { ok: false, problem: `\`${key}\` must be a string or null` };
    }
    const maxLength = key === 'unit' ? MAX_UNIT_LENGTH : MAX_MESSAGE_LENGTH;
    report[key] = text === null ? null : text.slice(0, maxLength);
  }
  if ('metrics' in fields && fields.metrics !== null) {
    const metrics = fields.metrics;
    if (typeof metrics !== 'object' || Array.isArray(metrics)) {
      return { ok: false, problem: '`metrics` must be an object of numbers' };
    }
    report.metrics = numericMetrics(metrics as Record<string, unknown>);
  }
  if (Object.keys(report).length === 0) {
    return { ok: false, problem: 'it holds none of current, total, unit, message, metrics' };
  }
  return { ok: true, report };
}

function numericMetrics(values: Record<string, unknown>): ReportedMetrics {
  const metrics: ReportedMetrics = {};
  for (const [name, value] of Object.entries(values)) {
    if (value === null) metrics[name] = null;
    else if (typeof value === 'number') metrics[name] = Number.isFinite(value) ? value : null;
  }
  return metrics;
}
