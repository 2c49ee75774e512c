import type { ProgressReport, ReportedMetrics } from './progress-report.js';

// Terminal control sequences (colours, cursor moves of nested bars) around a bar.
// eslint-disable-next-line no-control-regex -- ESC is exactly what is matched
const ANSI_ESCAPE = /\x1b\[[0-9;?]*[A-Za-z]/g;

const COUNT = String.raw`\d+(?:\.\d+)?[kMGTPEZY]?`;

// tqdm's default bar with a known total: `{desc}: {percentage:3.0f}%|{bar}| {n_fmt}/{total_fmt} [{elapsed}<{remaining}, {rate_fmt}{postfix}]`
const BAR_WITH_TOTAL = new RegExp(
  String.raw`^(?:(?<desc>.*?):\s*)?(?<percent>\d{1,3})%\|[^|]*\|\s*(?<n>${COUNT})\/(?<total>${COUNT})\s*` +
    String.raw`\[(?<elapsed>[\d:]+)<(?:[\d:]+|\?),\s*(?<rate>[^,\]]*?)\s*(?:,\s*(?<postfix>.*))?\]$`,
);

// Without a total: `{desc}: {n_fmt}{unit} [{elapsed}, {rate_fmt}{postfix}]`
const BAR_WITHOUT_TOTAL = new RegExp(
  String.raw`^(?:(?<desc>.*?):\s*)?(?<n>\d+(?:\.\d+)?)(?<unitText>[^\s\d[][^\s[]*)?\s*` +
    String.raw`\[(?<elapsed>[\d:]+),\s*(?<rate>[^,\]]*?)\s*(?:,\s*(?<postfix>.*))?\]$`,
);

const SI_PREFIXES = 'kMGTPEZY';

/**
 * Parses one `\r`- or `\n`-separated segment of output as an unmodified tqdm progress bar.
 * Returns `undefined` for anything else.
 *
 * Understands tqdm's default formats with and without a known total, any unit
 * (`it`, `epoch`, `B` …) and both rate forms (`4.50it/s`, `2.22s/it`), `unit_scale` counts
 * (`1.23k/10.0k`, read with a divisor of 1000), ASCII bars, a description (becomes the
 * report's `message`) and a postfix (`loss=0.123, acc=0.9`: its numeric values become metrics,
 * `nan`/`inf` become `null`). Colour codes and cursor moves are ignored. Custom `bar_format`s
 * are not recognised.
 *
 * @example
 * parseTqdmLine(' 45%|████▌     | 45/100 [00:10<00:12,  4.50it/s]');
 * // { current: 45, total: 100, unit: 'it' }
 */
export function parseTqdmLine(segment: string): ProgressReport | undefined {
  if (!segment.includes('[')) return undefined;
  const text = segment.replace(ANSI_ESCAPE, '').trim();
  if (!text.endsWith(']')) return undefined;
  const withTotal = BAR_WITH_TOTAL.exec(text);
  if (withTotal?.groups) return reportWithTotal(withTotal.groups);
  const withoutTotal = BAR_WITHOUT_TOTAL.exec(text);
  if (withoutTotal?.groups) return reportWithoutTotal(withoutTotal.groups);
  return undefined;
}

function reportWithTotal(groups: Record<string, string | undefined>): ProgressReport | undefined {
  const current = parseCount(groups.n ?? '');
  const total = parseCount(groups.total ?? '');
  if (current === undefined || total === undefined || total <= 0) return undefined;
  const scaled = hasSiSuffix(groups.n) || hasSiSuffix(groups.total);
  const report: ProgressReport = {
    current,
    total,
    unit: unitOfRate(groups.rate ?? '', scaled) ?? null,
  };
  return withDescriptionAndPostfix(report, groups);
}

function reportWithoutTotal(
  groups: Record<string, string | undefined>,
): ProgressReport | undefined {
  let current = Number(groups.n);
  if (!Number.isFinite(current)) return undefined;
  const unitText = groups.unitText ?? '';
  const rateUnit = unitOfRate(groups.rate ?? '', false);
  let unit = unitText || rateUnit || null;
  // `unit_scale`: `1.23kit` is 1230 `it` when the rate names `it` (or `kit/s` scaled alike).
  const prefix = unitText[0];
  if (prefix && SI_PREFIXES.includes(prefix) && unitText.length > 1) {
    const rest = unitText.slice(1);
    if (rateUnit === rest || unitOfRate(groups.rate ?? '', true) === rest) {
      current *= 1000 ** (SI_PREFIXES.indexOf(prefix) + 1);
      unit = rest;
    }
  }
  return withDescriptionAndPostfix({ current, total: null, unit }, groups);
}

function withDescriptionAndPostfix(
  report: ProgressReport,
  groups: Record<string, string | undefined>,
): ProgressReport {
  const description = groups.desc?.trim();
  if (description) report.message = description;
  const metrics = postfixMetrics(groups.postfix);
  if (metrics) report.metrics = metrics;
  return report;
}

function parseCount(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)([kMGTPEZY]?)$/.exec(text);
  if (!match) return undefined;
  const value = Number(match[1]);
  const scale = match[2] ? 1000 ** (SI_PREFIXES.indexOf(match[2]) + 1) : 1;
  return value * scale;
}

function hasSiSuffix(text: string | undefined): boolean {
  return text !== undefined && SI_PREFIXES.includes(text[text.length - 1] ?? '');
}

/** The unit named by a rate: `4.50it/s` and `2.22s/it` name `it`; `?epoch/s` names `epoch`. */
function unitOfRate(rate: string, scaled: boolean): string | undefined {
  const match = /^(?:\d+(?:\.\d+)?|\?)\s*(\S*?)\/(\S+)$/.exec(rate.trim());
  if (!match) return undefined;
  const [, before, after] = match;
  let unit = before === 's' && after !== 's' ? after : after === 's' ? before : undefined;
  if (!unit) return undefined;
  if (scaled && unit.length > 1 && SI_PREFIXES.includes(unit[0])) unit = unit.slice(1);
  return unit;
}

function postfixMetrics(postfix: string | undefined): ReportedMetrics | undefined {
  if (!postfix) return undefined;
  let metrics: ReportedMetrics | undefined;
  for (const part of postfix.split(',')) {
    const match = /^\s*([^=\s]+)=\s*(\S+)\s*$/.exec(part);
    if (!match) continue;
    const value = numericValue(match[2]);
    if (value === undefined) continue;
    metrics ??= {};
    metrics[match[1]] = value;
  }
  return metrics;
}

function numericValue(text: string): number | null | undefined {
  if (/^[+-]?(nan|inf|infinity)$/i.test(text)) return null;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(text)) return undefined;
  return Number(text);
}
