import { ApiError } from './api-client.js';
import type { ApiClient } from './api-client.js';
import { byId, h, setText } from './dom.js';
import { formatNumber, formatPercent } from './format.js';
import { LogView } from './log-view.js';
import { toMetricSeries } from './metrics-history.js';
import { renderMetricPlots } from './metrics-plot.js';
import { createProgressBar, updateProgressBar } from './progress-bar.js';
import { runFacts } from './run-facts.js';
import type { RunRow } from './run-row.js';
import { createStatusBadge, updateStatusBadge } from './status-badge.js';
import { FINAL_STATUSES } from './status.js';

/** Metrics and the run's requests are reloaded at most this often while a run changes. */
const REFRESH_INTERVAL_MS = 1500;
const CONFIRM_WINDOW_MS = 4000;

export interface RunDetailOptions {
  api: ApiClient;
  getToken: () => string | null;
  onClose: () => void;
  notify: (message: string, kind?: 'info' | 'error') => void;
}

/**
 * The panel of the selected run: its facts, the last lines of its output when it failed, a
 * plot of its metrics, and the tail of its log ({@link LogView}). The metrics and the whole
 * record (list rows may leave out `errorTail`) reload when the run's record changes (an SSE
 * `run` event), at most every 1.5 s.
 */
export class RunDetail {
  private readonly panel = byId('detail');
  private readonly badge = createStatusBadge();
  private readonly title = byId('detail-title');
  private readonly bar = createProgressBar('bar big');
  private readonly progressText = byId('detail-progress-text');
  private readonly facts = byId('detail-facts');
  private readonly errorTail = byId<HTMLPreElement>('detail-error-tail');
  private readonly plots = byId('detail-plots');
  private readonly log: LogView;
  private readonly cancelButton = byId<HTMLButtonElement>('detail-cancel');
  private runId: string | null = null;
  private row: RunRow | null = null;
  private lastRefresh = 0;
  private refreshTimer: ReturnType<typeof setTimeout> | null = null;
  private refreshing = false;
  private confirmUntil = 0;
  /** The last lines of the run's output, from the whole record of `GET /api/runs/<id>`. */
  private fetchedErrorTail: readonly string[] = [];
  private cancelRequestedAt: string | null = null;

  constructor(private readonly options: RunDetailOptions) {
    byId('detail-status').append(this.badge);
    byId('detail-bar').append(this.bar);
    byId('detail-close').addEventListener('click', () => options.onClose());
    byId('detail-back').addEventListener('click', () => options.onClose());
    this.log = new LogView(options.api);
    this.cancelButton.addEventListener('click', () => void this.cancel());
  }

  get selectedId(): string | null {
    return this.runId;
  }

  open(row: RunRow): void {
    const changedRun = this.runId !== row.id;
    this.runId = row.id;
    this.panel.hidden = false;
    if (changedRun) {
      this.log.open(row.id);
      this.cancelRequestedAt = null;
      this.fetchedErrorTail = [];
      this.plots.replaceChildren();
      this.confirmUntil = 0;
    }
    this.update(row, Date.now());
    this.lastRefresh = 0;
    this.scheduleRefresh();
    if (changedRun) this.bringIntoView();
  }

  close(): void {
    this.runId = null;
    this.row = null;
    this.panel.hidden = true;
    this.log.close();
    if (this.refreshTimer !== null) clearTimeout(this.refreshTimer);
    this.refreshTimer = null;
  }

  /** A new record of the shown run arrived. */
  changed(row: RunRow): void {
    if (row.id !== this.runId) return;
    this.update(row, Date.now());
    this.scheduleRefresh();
  }

  tick(nowMs: number): void {
    if (this.row) this.renderFacts(this.row, nowMs);
  }

  /** The token was set or forgotten: the cancel button may appear or go. */
  tokenChanged(): void {
    if (this.row) this.renderCancel(this.row);
    this.log.reconnect();
  }

  private update(row: RunRow, nowMs: number): void {
    this.row = row;
    updateStatusBadge(this.badge, row.status, row.storedStatus);
    setText(this.title, row.id);
    this.title.title = row.id;
    updateProgressBar(this.bar, row.percent, row.status);
    const steps =
      row.current === null
        ? ''
        : `${formatNumber(row.current)}${row.total === null ? '' : ` / ${formatNumber(row.total)}`}${row.unit ? ` ${row.unit}` : ''}`;
    setText(
      this.progressText,
      [formatPercent(row.percent), steps].filter((part) => part && part !== '—').join(' · ') ||
        'no progress reported',
    );
    this.renderFacts(row, nowMs);
    this.renderErrorTail(row);
    this.renderCancel(row);
  }

  private renderFacts(row: RunRow, nowMs: number): void {
    this.facts.replaceChildren(...runFacts(row, nowMs, this.cancelRequestedAt));
  }

  /** Monospace, bounded by CSS; re-rendered only when it changes (keeps its scroll). */
  private renderErrorTail(row: RunRow): void {
    const lines = row.errorTail.length > 0 ? row.errorTail : this.fetchedErrorTail;
    this.errorTail.hidden = lines.length === 0;
    setText(this.errorTail, lines.join('\n'));
  }

  private renderCancel(row: RunRow): void {
    const canCancel =
      this.options.getToken() !== null &&
      this.cancelRequestedAt === null &&
      !FINAL_STATUSES.has(row.status) &&
      row.status !== 'unreadable';
    this.cancelButton.hidden = !canCancel;
    if (Date.now() > this.confirmUntil) {
      this.cancelButton.textContent = 'Cancel run';
      this.cancelButton.classList.remove('confirm');
    }
  }

  private async cancel(): Promise<void> {
    const id = this.runId;
    const token = this.options.getToken();
    if (id === null || token === null) return;
    if (Date.now() > this.confirmUntil) {
      // A second click within a few seconds confirms; no modal dialog.
      this.confirmUntil = Date.now() + CONFIRM_WINDOW_MS;
      this.cancelButton.textContent = 'Click again to cancel';
      this.cancelButton.classList.add('confirm');
      setTimeout(() => this.row && this.renderCancel(this.row), CONFIRM_WINDOW_MS + 50);
      return;
    }
    this.confirmUntil = 0;
    this.cancelButton.disabled = true;
    try {
      await this.options.api.cancelRun(id);
      this.options.notify(`Cancel requested for ${id}`);
      this.cancelRequestedAt = new Date().toISOString();
      this.lastRefresh = 0;
      this.scheduleRefresh();
    } catch (error) {
      const reason =
        error instanceof ApiError && error.status === 401
          ? 'the dashboard refused the token'
          : error instanceof Error
            ? error.message
            : String(error);
      this.options.notify(`Could not cancel ${id}: ${reason}`, 'error');
    } finally {
      this.cancelButton.disabled = false;
      if (this.row) this.renderCancel(this.row);
    }
  }

  private scheduleRefresh(): void {
    if (this.refreshTimer !== null || this.runId === null) return;
    const wait = Math.max(0, this.lastRefresh + REFRESH_INTERVAL_MS - Date.now());
    this.refreshTimer = setTimeout(() => {
      this.refreshTimer = null;
      void this.refresh();
    }, wait);
  }

  private async refresh(): Promise<void> {
    const id = this.runId;
    if (id === null) return;
    if (this.refreshing) {
      this.scheduleRefresh();
      return;
    }
    this.refreshing = true;
    this.lastRefresh = Date.now();
    const [metrics, run] = await Promise.allSettled([
      this.options.api.getMetrics(id),
      this.options.api.getRun(id),
    ]);
    this.refreshing = false;
    if (id !== this.runId) return;
    if (run.status === 'fulfilled') {
      this.cancelRequestedAt = run.value.cancelRequestedAt;
      this.fetchedErrorTail = run.value.row?.errorTail ?? [];
      if (this.row) this.update(this.row, Date.now());
    }
    if (metrics.status === 'fulfilled') {
      const final = this.row !== null && FINAL_STATUSES.has(this.row.status);
      renderMetricPlots(this.plots, toMetricSeries(metrics.value), final);
    } else {
      this.plots.replaceChildren(
        h('p', { class: 'muted empty-note' }, errorText(metrics.reason, 'No metrics')),
      );
    }
  }

  /**
   * Where the panel sits below the table (narrow windows) a click on a row far up would open
   * it out of sight; on a phone it is a full-screen layer that opens at its top.
   */
  private bringIntoView(): void {
    const layer = this.panel.parentElement;
    if (layer && getComputedStyle(layer).position === 'fixed') layer.scrollTop = 0;
    const box = this.panel.getBoundingClientRect();
    if (box.top >= window.innerHeight || box.bottom <= 0) {
      this.panel.scrollIntoView({ block: 'start' });
    }
  }
}

function errorText(error: unknown, prefix: string): string {
  if (error instanceof ApiError && error.status === 404) return `${prefix} yet.`;
  return `${prefix}: ${error instanceof Error ? error.message : String(error)}`;
}
