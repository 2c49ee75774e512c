import { h, setText } from './dom.js';
import { formatAge, formatDuration, formatPercent, formatWaiting } from './format.js';
import { createProgressBar, updateProgressBar } from './progress-bar.js';
import { remainingSeconds } from './run-row.js';
import type { RunRow } from './run-row.js';
import { createStatusBadge, updateStatusBadge } from './status-badge.js';
import { FINAL_STATUSES } from './status.js';

interface RowView {
  tr: HTMLTableRowElement;
  badge: HTMLSpanElement;
  group: HTMLSpanElement;
  name: HTMLSpanElement;
  note: HTMLDivElement;
  bar: HTMLDivElement;
  percent: HTMLSpanElement;
  steps: HTMLSpanElement;
  eta: HTMLTableCellElement;
  updated: HTMLTableCellElement;
  attempt: HTMLTableCellElement;
  gpu: HTMLTableCellElement;
  /** The row last rendered; rows are immutable, so identity tells whether to re-render. */
  row: RunRow | null;
}

/**
 * The table of runs. Rows are keyed by run id and updated in place, so a record change costs
 * a few text and style writes, and rows move in the DOM only when the order changes.
 */
export class RunsTable {
  private readonly views = new Map<string, RowView>();
  private selectedId: string | null = null;

  constructor(
    private readonly body: HTMLTableSectionElement,
    private readonly onSelect: (id: string) => void,
  ) {}

  /** Shows exactly `rows`, in order. */
  render(rows: readonly RunRow[], nowMs: number): void {
    const keep = new Set<string>();
    let previous: Element | null = null;
    for (const row of rows) {
      keep.add(row.id);
      let view = this.views.get(row.id);
      if (!view) {
        view = this.createView(row.id);
        this.views.set(row.id, view);
      }
      if (view.row !== row) this.update(view, row, nowMs);
      const expected: Element | null = previous
        ? previous.nextElementSibling
        : this.body.firstElementChild;
      if (expected !== view.tr) this.body.insertBefore(view.tr, expected);
      previous = view.tr;
    }
    for (const [id, view] of this.views) {
      if (!keep.has(id)) {
        view.tr.remove();
        this.views.delete(id);
      }
    }
  }

  /** Re-renders what depends on the clock: last-update ages and counted-down ETAs. */
  tick(nowMs: number): void {
    for (const view of this.views.values()) {
      if (view.row) this.updateClock(view, view.row, nowMs);
    }
  }

  select(id: string | null): void {
    if (this.selectedId !== null)
      this.views.get(this.selectedId)?.tr.removeAttribute('aria-selected');
    this.selectedId = id;
    if (id !== null) this.views.get(id)?.tr.setAttribute('aria-selected', 'true');
  }

  /** Scrolls the run's row into view, if the table shows it. */
  reveal(id: string): void {
    this.views.get(id)?.tr.scrollIntoView({ block: 'nearest' });
  }

  private createView(id: string): RowView {
    const badge = createStatusBadge();
    const group = h('span', { class: 'run-group' });
    const name = h('span', { class: 'run-name' });
    const note = h('div', { class: 'run-note' });
    const bar = createProgressBar();
    const percent = h('span', { class: 'pct num' });
    const steps = h('span', { class: 'steps num' });
    const eta = h('td', { class: 'num col-eta' });
    const updated = h('td', { class: 'num col-updated' });
    const attempt = h('td', { class: 'num col-attempt' });
    const gpu = h('td', { class: 'num col-gpu' });
    const tr = h(
      'tr',
      { class: 'run-row', tabindex: 0, 'data-run-id': id },
      h('td', { class: 'col-status' }, badge),
      h('td', { class: 'col-run' }, h('div', { class: 'run-id', title: id }, group, name), note),
      h('td', { class: 'col-progress' }, h('div', { class: 'progress-cell' }, bar, percent), steps),
      eta,
      updated,
      attempt,
      gpu,
    );
    const slash = id.lastIndexOf('/');
    group.textContent = slash >= 0 ? id.slice(0, slash + 1) : '';
    name.textContent = slash >= 0 ? id.slice(slash + 1) : id;
    tr.addEventListener('click', () => this.onSelect(id));
    tr.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' || event.key === ' ') {
        event.preventDefault();
        this.onSelect(id);
      }
    });
    if (id === this.selectedId) tr.setAttribute('aria-selected', 'true');
    return {
      tr,
      badge,
      group,
      name,
      note,
      bar,
      percent,
      steps,
      eta,
      updated,
      attempt,
      gpu,
      row: null,
    };
  }

  private update(view: RowView, row: RunRow, nowMs: number): void {
    view.row = row;
    view.tr.dataset['status'] = row.status;
    updateStatusBadge(view.badge, row.status, row.storedStatus);
    const note =
      row.error ??
      (row.waiting ? formatWaiting(row.waiting) : null) ??
      (FINAL_STATUSES.has(row.status) ? '' : (row.message ?? ''));
    setText(view.note, note);
    view.note.className = row.error
      ? 'run-note error'
      : row.waiting
        ? 'run-note waiting'
        : 'run-note';
    view.note.title = note;
    updateProgressBar(view.bar, row.percent, row.status);
    setText(view.percent, formatPercent(row.percent));
    view.percent.classList.toggle('none', row.percent === null);
    setText(view.steps, stepsText(row));
    setText(
      view.attempt,
      row.attempt === null
        ? '—'
        : row.maxAttempts
          ? `${row.attempt}/${row.maxAttempts}`
          : String(row.attempt),
    );
    setText(view.gpu, row.gpus.length > 0 ? row.gpus.join(',') : '—');
    view.updated.title = row.updatedAtMs === null ? '' : new Date(row.updatedAtMs).toISOString();
    this.updateClock(view, row, nowMs);
  }

  private updateClock(view: RowView, row: RunRow, nowMs: number): void {
    setText(view.updated, formatAge(row.updatedAtMs, nowMs));
    const eta = FINAL_STATUSES.has(row.status) ? null : remainingSeconds(row, nowMs);
    setText(view.eta, eta === null ? '—' : formatDuration(eta));
  }
}

function stepsText(row: RunRow): string {
  if (row.current === null) return '';
  const unit = row.unit ? ` ${row.unit}` : '';
  if (row.total === null) return `${formatCount(row.current)}${unit}`;
  return `${formatCount(row.current)}/${formatCount(row.total)}${unit}`;
}

function formatCount(value: number): string {
  return Number.isInteger(value) ? value.toLocaleString('en-US') : value.toFixed(1);
}
