import { isObject } from './api-types.js';

/** A piece of a log as the page shows it: plain text, or one `##runboard {…}` progress line. */
export type LogSegment =
  | { kind: 'text'; text: string }
  /** `summary` is `null` when the text after `##runboard` is not a JSON object. */
  | { kind: 'marker'; raw: string; summary: string | null };

// The launcher's rule (marker-line.ts): `##runboard` after optional whitespace, then a space.
const MARKER = /^\s*##runboard(?:\s+(.*))?$/;

/**
 * Splits a log (already {@link terminalText}) into text and progress marker lines, so the
 * page can show each marker as a compact metrics line instead of raw JSON.
 *
 * @example
 * splitLogMarkers('epoch 1\n##runboard {"current": 1, "total": 10}\n');
 * // [{ kind: 'text', text: 'epoch 1\n' }, { kind: 'marker', raw: '##runboard {…}', summary: '1/10' }, { kind: 'text', text: '\n' }]
 */
export function splitLogMarkers(text: string): LogSegment[] {
  const segments: LogSegment[] = [];
  let plain = '';
  const lines = text.split('\n');
  lines.forEach((line, index) => {
    const newline = index < lines.length - 1 ? '\n' : '';
    const match = MARKER.exec(line);
    if (!match) {
      plain += line + newline;
      return;
    }
    if (plain !== '') segments.push({ kind: 'text', text: plain });
    segments.push({ kind: 'marker', raw: line, summary: markerSummary(match[1] ?? '') });
    plain = newline;
  });
  if (plain !== '') segments.push({ kind: 'text', text: plain });
  return segments;
}

/**
 * A marker's JSON in a few words: steps, metrics, message.
 *
 * @example
 * markerSummary('{"current": 3, "total": 10, "unit": "epoch", "metrics": {"loss": 0.51234}}');
 * // '3/10 epoch · loss 0.5123'
 */
export function markerSummary(payload: string): string | null {
  let value: unknown;
  try {
    // Python's json.dumps writes NaN and Infinity; the launcher reads them as null.
    value = JSON.parse(payload.replace(/(?<=[:,[]\s*)-?(?:NaN|Infinity)\b/g, 'null'));
  } catch {
    return null;
  }
  if (!isObject(value)) return null;
  const parts: string[] = [];
  const { current, total, unit, message, metrics } = value;
  if (typeof current === 'number') {
    const steps = typeof total === 'number' ? `${current}/${total}` : String(current);
    parts.push(typeof unit === 'string' && unit !== '' ? `${steps} ${unit}` : steps);
  }
  if (isObject(metrics)) {
    for (const [name, metric] of Object.entries(metrics)) {
      if (typeof metric === 'number') parts.push(`${name} ${Number(metric.toPrecision(4))}`);
      else if (metric === null) parts.push(`${name} NaN`);
    }
  }
  if (typeof message === 'string' && message !== '') parts.push(message);
  return parts.length > 0 ? parts.join(' · ') : 'progress report';
}
