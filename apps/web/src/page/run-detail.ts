import { ApiError, toLogPiece } from './api-client.js';
import type { ApiClient, LogPiece } from './api-client.js';
import { connectEvents } from './event-stream.js';
import type { ConnectionState } from './event-stream.js';
import { byId, h, setText } from './dom.js';
import { formatAge, formatDuration, formatNumber, formatPercent } from './format.js';
import { terminalText } from './log-text.js';
import { toMetricSeries } from './metrics-history.js';
import { renderMetricPlots } from './metrics-plot.js';
import { createProgressBar, updateProgressBar } from './progress-bar.js';
import { remainingSeconds } from './run-row.js';
import type { RunRow } from './run-row.js';
import { createStatusBadge, updateStatusBadge } from './status-badge.js';
import { FINAL_STATUSES } from './status.js';

const LOG_TAIL_LINES = 400;
/** The log text kept for display; older text is dropped at a line start. */
const MAX_LOG_CHARS = 400_000;
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
 * The panel of the selected run: its facts, a plot of its metrics, and the tail of its log.
 * The log comes from the run's log stream (`GET /api/runs/<id>/log?follow=1`), so new lines
 * show as they are written; the view scrolls with them while it is at the bottom. The metrics
 * reload when the run's record changes (an SSE `run` event), at most every 1.5 s.
 */
export class RunDetail {
  private readonly panel = byId('detail');
  private readonly badge = createStatusBadge();
  private readonly title = byId('detail-title');
  private readonly bar = createProgressBar('bar big');
  private readonly progressText = byId('detail-progress-text');
  private readonly facts = byId('detail-facts');
  private readonly plots = byId('detail-plots');
  private readonly log = byId<HTMLPreElement>('detail-log');
  private readonly follow = byId<HTMLInputElement>('detail-follow');
  private readonly cancelButton = byId<HTMLButtonElement>('detail-cancel');
  private runId: string | null = null;
  private row: RunRow | null = null;
  private lastRefresh = 0;
  private refreshTimer: ReturnType<typeof setTimeout> | null = null;
  private refreshing = false;
  private confirmUntil = 0;
  private logText = '';
  private logStream: { close: () => void; reconnect: () => void } | null = null;
  private cancelRequestedAt: string | null = null;

  constructor(private readonly options: RunDetailOptions) {
    byId('detail-status').append(this.badge);
    byId('detail-bar').append(this.bar);
    byId('detail-close').addEventListener('click', () => options.onClose());
    this.log.addEventListener('scroll', () => {
      const atBottom = this.log.scrollHeight - this.log.scrollTop - this.log.clientHeight < 24;
      if (this.follow.checked !== atBottom) this.follow.checked = atBottom;
    });
    this.follow.addEventListener('change', () => {
      if (this.follow.checked) this.scrollLogToEnd();
    });
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
      this.logText = '';
      this.followLog(row.id);
      this.cancelRequestedAt = null;
      this.log.textContent = 'Loading…';
      this.plots.replaceChildren();
      this.follow.checked = true;
      this.confirmUntil = 0;
    }
    this.update(row, Date.now());
    this.lastRefresh = 0;
    this.scheduleRefresh();
  }

  close(): void {
    this.runId = null;
    this.row = null;
    this.panel.hidden = true;
    this.logStream?.close();
    this.logStream = null;
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
    this.logStream?.reconnect();
  }

  private followLog(id: string): void {
    this.logStream?.close();
    this.logStream = connectEvents({
      url: this.options.api.logStreamUrl(id, LOG_TAIL_LINES),
      headers: () => this.options.api.authHeaders(),
      handlers: {
        log: (data) => {
          const piece = toLogPiece(data);
          if (piece && id === this.runId) this.showLog(piece);
        },
      },
      // Each connection starts with a fresh tail (`reset`), so nothing to reload here.
      onOpen: () => {},
      onState: (state: ConnectionState) => {
        if (state === 'live' || id !== this.runId || this.logText !== '') return;
        setText(
          this.log,
          state === 'unauthorized' ? 'No log: the dashboard needs its token.' : 'Loading…',
        );
      },
    });
  }

  private showLog(piece: LogPiece): void {
    this.logText = piece.reset ? piece.text : this.logText + piece.text;
    if (this.logText.length > MAX_LOG_CHARS) {
      const cut = this.logText.indexOf('\n', this.logText.length - MAX_LOG_CHARS);
      this.logText = this.logText.slice(cut < 0 ? this.logText.length - MAX_LOG_CHARS : cut + 1);
    }
    const text = terminalText(this.logText).replace(/\n$/, '');
    setText(this.log, text !== '' ? text : piece.exists ? '(the log is empty)' : '(no log yet)');
    this.log.classList.toggle('muted', text === '');
    if (this.follow.checked) this.scrollLogToEnd();
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
    this.renderCancel(row);
  }

  private renderFacts(row: RunRow, nowMs: number): void {
    const eta = FINAL_STATUSES.has(row.status) ? null : remainingSeconds(row, nowMs);
    const started = row.startedAtMs;
    const finished = row.finishedAtMs;
    const facts: [string, string, string?][] = [
      ['ETA', eta === null ? '—' : formatDuration(eta)],
      [
        'Updated',
        formatAge(row.updatedAtMs, nowMs),
        row.updatedAtMs ? new Date(row.updatedAtMs).toISOString() : '',
      ],
      [
        'Attempt',
        row.attempt === null
          ? '—'
          : row.maxAttempts
            ? `${row.attempt} of ${row.maxAttempts}`
            : String(row.attempt),
      ],
      ['GPU', row.gpus.length > 0 ? row.gpus.join(', ') : '—'],
      [
        'Host',
        [row.host, row.pid === null ? '' : `pid ${row.pid}`].filter(Boolean).join(' · ') || '—',
      ],
      [
        'Runtime',
        started === null ? '—' : formatDuration(((finished ?? nowMs) - started) / 1000),
        started === null ? '' : new Date(started).toISOString(),
      ],
    ];
    if (row.exitCode !== null || row.signal !== null) {
      const exit = [row.exitCode === null ? '' : `code ${row.exitCode}`, row.signal ?? ''];
      facts.push(['Exit', exit.filter(Boolean).join(' · ')]);
    }
    const items: Node[] = [];
    for (const [label, value, title] of facts) {
      items.push(
        h(
          'div',
          { class: 'fact' },
          h('dt', null, label),
          h('dd', { class: 'num', title: title || null }, value),
        ),
      );
    }
    const command = row.command;
    if (command !== null) {
      const text = typeof command === 'string' ? command : command.map(shellWord).join(' ');
      items.push(
        h(
          'div',
          { class: 'fact wide' },
          h('dt', null, 'Command'),
          h('dd', { class: 'mono', title: text }, text),
        ),
      );
    }
    if (this.cancelRequestedAt !== null && !FINAL_STATUSES.has(row.status)) {
      const at = Date.parse(this.cancelRequestedAt);
      items.push(
        h(
          'div',
          { class: 'fact wide warning' },
          h('dt', null, 'Cancel requested'),
          h(
            'dd',
            { title: this.cancelRequestedAt },
            Number.isNaN(at) ? this.cancelRequestedAt : formatAge(at, nowMs),
          ),
        ),
      );
    }
    if (row.error) {
      items.push(
        h('div', { class: 'fact wide error' }, h('dt', null, 'Error'), h('dd', null, row.error)),
      );
    } else if (row.message) {
      items.push(
        h('div', { class: 'fact wide' }, h('dt', null, 'Message'), h('dd', null, row.message)),
      );
    }
    this.facts.replaceChildren(...items);
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
    if (run.status === 'fulfilled' && run.value.cancelRequestedAt !== this.cancelRequestedAt) {
      this.cancelRequestedAt = run.value.cancelRequestedAt;
      if (this.row) this.update(this.row, Date.now());
    }
    if (metrics.status === 'fulfilled') {
      renderMetricPlots(this.plots, toMetricSeries(metrics.value));
    } else {
      this.plots.replaceChildren(
        h('p', { class: 'muted empty-note' }, errorText(metrics.reason, 'No metrics')),
      );
    }
  }

  private scrollLogToEnd(): void {
    this.log.scrollTop = this.log.scrollHeight;
  }
}

function errorText(error: unknown, prefix: string): string {
  if (error instanceof ApiError && error.status === 404) return `${prefix} yet.`;
  return `${prefix}: ${error instanceof Error ? error.message : String(error)}`;
}

function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
