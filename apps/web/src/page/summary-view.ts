import { byId, h, setText } from './dom.js';
import { formatClock, formatDuration, formatPercent } from './format.js';
import { num, time, wire } from './api-types.js';
import type { ApiIndexing, ApiSummary } from './api-types.js';
import {
  DISPLAY_STATUSES,
  STATUS_HINTS,
  UNSUCCESSFUL_STATUSES,
  statusClass,
  statusRank,
} from './status.js';
import type { KnownDisplayStatus } from './status.js';

/** What the summary shows of the server's `GET /api/summary` (or SSE `summary`). */
export interface OverallProgress {
  /** Progress of the work that can still complete (runs that ended without success left out). */
  percent: number | null;
  etaSeconds: number | null;
  /** When `etaSeconds` was computed, to count it down. */
  atMs: number;
  /** Failed, cancelled and blocked runs; `null` when the server does not say (counted here). */
  endedUnsuccessful: number | null;
  /** How far the server's first index of the root is; `null` once complete. */
  indexing: { indexed: number; total: number | null } | null;
}

/** Reads the overall progress from a summary (`GET /api/summary`, SSE `summary`). */
export function toOverallProgress(body: unknown, nowMs: number): OverallProgress {
  const summary = wire<ApiSummary>(body);
  const generated = time(summary.generatedAt);
  const indexing = wire<ApiIndexing>(summary.indexing);
  const indexed = num(indexing.indexed);
  return {
    percent: num(summary.percent),
    etaSeconds: num(summary.etaSeconds),
    atMs: generated === null ? nowMs : Math.min(generated, nowMs),
    endedUnsuccessful: num(summary.endedUnsuccessful),
    indexing: indexed === null ? null : { indexed, total: num(indexing.total) },
  };
}

/**
 * The banner while the server still indexes the root.
 *
 * @example
 * indexingText({ indexed: 43_000, total: 100_000 }); // 'indexing 43,000 / 100,000'
 * indexingText({ indexed: 43_000, total: null }); // 'indexing 43,000 runs…'
 */
export function indexingText(indexing: { indexed: number; total: number | null }): string {
  const indexed = indexing.indexed.toLocaleString('en-US');
  return indexing.total === null
    ? `indexing ${indexed} runs…`
    : `indexing ${indexed} / ${indexing.total.toLocaleString('en-US')}`;
}

/**
 * The overview: the overall progress bar with the set's ETA, a strip of runs by status, and
 * one chip per status with its count. A chip toggles that status in the table's filter.
 */
export class SummaryView {
  private readonly percent = byId('overall-percent');
  private readonly fill = byId('overall-fill');
  private readonly eta = byId('overall-eta');
  private readonly detail = byId('overall-detail');
  private readonly unsuccessful = byId('overall-unsuccessful');
  private readonly indexing = byId('indexing');
  private readonly strip = byId('status-strip');
  private readonly chips = byId('status-chips');
  private readonly chipViews = new Map<string, { chip: HTMLButtonElement; count: HTMLElement }>();
  private overall: OverallProgress = {
    percent: null,
    etaSeconds: null,
    atMs: 0,
    endedUnsuccessful: null,
    indexing: null,
  };

  constructor(private readonly onToggle: (status: string) => void) {}

  render(
    counts: ReadonlyMap<string, number>,
    total: number,
    overall: OverallProgress,
    activeFilter: ReadonlySet<string>,
    nowMs: number,
  ): void {
    setText(this.percent, formatPercent(overall.percent));
    this.fill.style.width = `${Math.min(100, Math.max(0, overall.percent ?? 0)).toFixed(2)}%`;
    this.fill.parentElement?.setAttribute('aria-valuenow', (overall.percent ?? 0).toFixed(1));
    this.overall = overall;
    this.tick(nowMs);
    const active =
      (counts.get('running') ?? 0) + (counts.get('starting') ?? 0) + (counts.get('stuck') ?? 0);
    setText(
      this.detail,
      `${total.toLocaleString('en-US')} run${total === 1 ? '' : 's'} · ${active} active`,
    );
    const unsuccessful =
      overall.endedUnsuccessful ??
      [...UNSUCCESSFUL_STATUSES].reduce((sum, status) => sum + (counts.get(status) ?? 0), 0);
    this.unsuccessful.hidden = unsuccessful === 0;
    setText(this.unsuccessful, `${unsuccessful.toLocaleString('en-US')} ended without success`);
    this.indexing.hidden = overall.indexing === null;
    setText(this.indexing, overall.indexing === null ? '' : indexingText(overall.indexing));

    const statuses = [...new Set([...DISPLAY_STATUSES, ...counts.keys()])].sort(
      (a, b) => statusRank(a) - statusRank(b),
    );
    const segments: HTMLElement[] = [];
    for (const status of statuses) {
      const count = counts.get(status) ?? 0;
      if (count > 0 && total > 0) {
        const segment = h('span', {
          class: `segment ${statusClass(status)}`,
          title: `${status}: ${count}`,
        });
        segment.style.flexGrow = String(count);
        segments.push(segment);
      }
      this.renderChip(status, count, activeFilter.has(status));
    }
    this.strip.replaceChildren(...segments);
  }

  /** Counts the ETA down between two summaries. */
  tick(nowMs: number): void {
    const { etaSeconds, atMs } = this.overall;
    const eta = etaSeconds === null ? null : Math.max(0, etaSeconds - (nowMs - atMs) / 1000);
    setText(
      this.eta,
      eta === null
        ? 'ETA unknown'
        : eta === 0
          ? 'nothing left to do'
          : `ETA ${formatDuration(eta)} · done ~${formatClock(nowMs + eta * 1000)}`,
    );
  }

  private renderChip(status: string, count: number, pressed: boolean): void {
    let view = this.chipViews.get(status);
    if (!view) {
      const count = h('span', { class: 'chip-count num' });
      const chip = h(
        'button',
        {
          type: 'button',
          class: `chip ${statusClass(status)}`,
          'data-status': status,
          title: `${STATUS_HINTS[status as KnownDisplayStatus] ?? status} — click to filter`,
        },
        h('span', { class: 'dot', 'aria-hidden': 'true' }),
        h('span', { class: 'chip-label' }, status),
        count,
      );
      chip.addEventListener('click', () => this.onToggle(status));
      view = { chip, count };
      this.chipViews.set(status, view);
      const after = [...this.chipViews.keys()]
        .filter((other) => statusRank(other) > statusRank(status))
        .map((other) => this.chipViews.get(other)?.chip)
        .find((element) => element?.parentElement === this.chips);
      this.chips.insertBefore(chip, after ?? null);
    }
    setText(view.count, count.toLocaleString('en-US'));
    view.chip.setAttribute('aria-pressed', String(pressed));
    // Statuses with no runs stay out of the way unless they are part of the filter.
    view.chip.hidden = count === 0 && !pressed;
  }
}
