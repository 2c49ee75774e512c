import { ApiClient } from './api-client.js';
import { byId } from './dom.js';
import { connectEvents } from './event-stream.js';
import type { ConnectionState } from './event-stream.js';
import { formatDuration } from './format.js';
import { renderNotices, toNotices } from './notices.js';
import { ResourcesView } from './resources-view.js';
import { toResources } from './resources.js';
import { RunDetail } from './run-detail.js';
import { wire } from './api-types.js';
import type { ApiRemovedEvent } from './api-types.js';
import { remainingSeconds, toRunRow } from './run-row.js';
import { RunStore, SORT_KEYS, overallProgress } from './run-store.js';
import type { RunFilter, RunSort, SortKey } from './run-store.js';
import { RunsTable } from './runs-table.js';
import { SummaryView, toOverallProgress } from './summary-view.js';
import type { OverallProgress } from './summary-view.js';
import { applyTheme, nextTheme, storedTheme } from './theme.js';
import { storeToken, takeToken } from './token.js';

/** Rows rendered at first; "Show more" adds as many again. */
const PAGE_ROWS = 500;

let token = takeToken();
const api = new ApiClient(() => token);
const store = new RunStore();
let filter: RunFilter = { text: '', statuses: new Set() };
let sort: RunSort = { key: SORT_KEYS.status, descending: false };
let rowLimit = PAGE_ROWS;
let serverOverall: OverallProgress | null = null;
let renderQueued = false;
let connection: ConnectionState = 'connecting';
let loaded = false;
/** Events that arrive while a snapshot loads; applied after it, so none is lost or undone. */
let pendingEvents: (() => void)[] | null = null;

const table = new RunsTable(byId<HTMLTableSectionElement>('runs-body'), (id) => select(id));
const summary = new SummaryView((status) => toggleStatus(status));
const resources = new ResourcesView(
  () => void refreshResources(),
  (id) => {
    select(id);
    table.reveal(id);
  },
);
const detail = new RunDetail({
  api,
  getToken: () => token,
  onClose: () => select(null),
  notify,
});

let lastRenderAt = 0;

/**
 * Renders on the next frame; with many runs at most every 250 ms, so a burst of events
 * (thousands of runs changing) costs a few renders, not one per event.
 */
function scheduleRender(): void {
  if (renderQueued) return;
  renderQueued = true;
  const gap = store.size > 2000 ? 250 : 0;
  const wait = Math.max(0, lastRenderAt + gap - performance.now());
  const run = (): void => {
    requestAnimationFrame(() => {
      renderQueued = false;
      lastRenderAt = performance.now();
      render();
    });
  };
  if (wait > 0) setTimeout(run, wait);
  else run();
}

function render(): void {
  const now = Date.now();
  const rows = store.select(filter, sort);
  const shown = rows.length > rowLimit ? rows.slice(0, rowLimit) : rows;
  table.render(shown, now);
  const counts = store.counts();
  const overall = serverOverall ?? {
    ...overallProgress(store.all(), now, remainingSeconds),
    atMs: now,
    indexing: null,
  };
  summary.render(counts, store.size, overall, filter.statuses, now);

  const filtered = filter.text !== '' || filter.statuses.size > 0;
  byId('shown-count').textContent =
    rows.length === store.size
      ? `${store.size.toLocaleString('en-US')} runs`
      : `${rows.length.toLocaleString('en-US')} of ${store.size.toLocaleString('en-US')} runs`;
  const more = byId<HTMLButtonElement>('show-more');
  more.hidden = rows.length <= shown.length;
  more.textContent = `Show ${Math.min(PAGE_ROWS, rows.length - shown.length).toLocaleString('en-US')} more of ${(rows.length - shown.length).toLocaleString('en-US')}`;
  const empty = byId('empty-state');
  const locked = !loaded && connection === 'unauthorized';
  empty.hidden = !locked && (!loaded || rows.length > 0);
  byId('empty-text').textContent = locked
    ? 'This dashboard shows its runs only with its token: open the URL that runboard dashboard printed (it ends in #token=…), or click “read-only” above to enter the token.'
    : store.size === 0
      ? 'No runs under this root yet. They appear here as soon as a launcher creates their folders.'
      : 'No run matches the filter.';
  byId('clear-filters').hidden = !filtered;
  const failed = (counts.get('failed') ?? 0) + (counts.get('unreadable') ?? 0);
  const active = (counts.get('running') ?? 0) + (counts.get('starting') ?? 0);
  document.title = [
    failed > 0 ? `✕${failed}` : '',
    overall.percent === null ? '' : `${Math.floor(overall.percent)}%`,
    active > 0 ? `${active} running` : '',
    'runboard',
  ]
    .filter(Boolean)
    .join(' · ');
  byId('clear-filter-text').hidden = filter.text === '';
  document.body.dataset['loaded'] = String(loaded);
}

function select(id: string | null): void {
  table.select(id);
  const row = id === null ? undefined : store.get(id);
  if (row) detail.open(row);
  else detail.close();
  document.body.classList.toggle('has-detail', row !== undefined);
}

function toggleStatus(status: string): void {
  const statuses = new Set(filter.statuses);
  if (statuses.has(status)) statuses.delete(status);
  else statuses.add(status);
  setFilter({ ...filter, statuses });
}

function setFilter(next: RunFilter): void {
  filter = next;
  rowLimit = PAGE_ROWS;
  scheduleRender();
}

function applyEvent(apply: () => void): void {
  if (pendingEvents) pendingEvents.push(apply);
  else apply();
}

function onRunEvent(data: unknown): void {
  applyEvent(() => {
    const row = toRunRow(data);
    if (!row) return;
    if (store.upsert(row)) scheduleRender();
    if (detail.selectedId === row.id) detail.changed(row);
  });
}

function onRemovedEvent(data: unknown): void {
  applyEvent(() => {
    const id = wire<ApiRemovedEvent>(data).id;
    if (typeof id !== 'string') return;
    if (store.remove(id)) scheduleRender();
    if (detail.selectedId === id) {
      notify(`${id} was removed`);
      select(null);
    }
  });
}

function onSummaryEvent(data: unknown): void {
  applyEvent(() => {
    serverOverall = toOverallProgress(data, Date.now());
    scheduleRender();
  });
}

/** On every (re)connection: reload the whole list, then apply the events that came meanwhile. */
async function resync(): Promise<void> {
  pendingEvents = [];
  try {
    const [rows, summaryBody] = await Promise.all([
      api.listAllRuns(),
      api.getSummary().catch(() => null),
    ]);
    store.replaceAll(rows);
    if (summaryBody !== null) serverOverall = toOverallProgress(summaryBody, Date.now());
    loaded = true;
  } catch (error) {
    notify(
      `Could not load the runs: ${error instanceof Error ? error.message : String(error)}`,
      'error',
    );
  } finally {
    const queued = pendingEvents ?? [];
    pendingEvents = null;
    for (const apply of queued) apply();
    const selected = detail.selectedId;
    if (selected !== null) {
      const row = store.get(selected);
      if (row) detail.changed(row);
    }
    scheduleRender();
  }
  void refreshResources();
}

/**
 * Resources (CPU, memory, GPUs) come as `resources` events while the stream is open; the
 * page asks for them only for the first paint after each (re)connection and when the panel
 * is opened.
 */
async function refreshResources(): Promise<void> {
  try {
    resources.render(toResources(await api.getResources()));
  } catch {
    // The panel keeps its last content; the connection indicator tells about the server.
  }
}

function showConnection(state: ConnectionState, retryInMs?: number): void {
  const changed = connection !== state;
  connection = state;
  if (changed) scheduleRender();
  const element = byId('connection');
  element.dataset['state'] = state;
  const retry = retryInMs === undefined ? '…' : ` in ${formatDuration(retryInMs / 1000)}`;
  byId('connection-label').textContent =
    state === 'live'
      ? 'live'
      : state === 'connecting'
        ? 'connecting…'
        : state === 'unauthorized'
          ? 'token needed'
          : `reconnecting${retry}`;
  element.title =
    state === 'live'
      ? 'Receiving updates as they happen (Server-Sent Events).'
      : state === 'unauthorized'
        ? 'This dashboard needs its token to show runs: open the URL that `runboard dashboard` printed, or click "read-only" to enter it.'
        : 'The connection to the dashboard server is lost; retrying with backoff.';
}

function renderAccess(): void {
  const button = byId<HTMLButtonElement>('access');
  button.dataset['mode'] = token ? 'token' : 'read-only';
  byId('access-label').textContent = token ? 'cancel enabled' : 'read-only';
  button.title = token
    ? 'A token is set for this tab: runs can be cancelled. Click to forget it.'
    : 'Read-only. Open the URL that `runboard dashboard --token …` prints (it carries #token=…) to enable cancel, or click to enter the token.';
  detail.tokenChanged();
}

let toastTimer: ReturnType<typeof setTimeout> | null = null;

function notify(message: string, kind: 'info' | 'error' = 'info'): void {
  const toast = byId('toast');
  toast.textContent = message;
  toast.dataset['kind'] = kind;
  toast.hidden = false;
  if (toastTimer !== null) clearTimeout(toastTimer);
  toastTimer = setTimeout(() => {
    toast.hidden = true;
  }, 5000);
}

function setSort(key: SortKey): void {
  sort =
    sort.key === key
      ? { key, descending: !sort.descending }
      : { key, descending: key === 'updated' };
  for (const header of document.querySelectorAll<HTMLElement>('th[data-sort]')) {
    header.setAttribute(
      'aria-sort',
      header.dataset['sort'] === sort.key ? (sort.descending ? 'descending' : 'ascending') : 'none',
    );
  }
  scheduleRender();
}

function wireControls(): void {
  const search = byId<HTMLInputElement>('filter');
  search.addEventListener('input', () => setFilter({ ...filter, text: search.value }));
  byId('clear-filter-text').addEventListener('click', () => {
    search.value = '';
    setFilter({ ...filter, text: '' });
    search.focus();
  });
  byId('clear-filters').addEventListener('click', () => {
    search.value = '';
    setFilter({ text: '', statuses: new Set() });
  });
  byId('show-more').addEventListener('click', () => {
    rowLimit += PAGE_ROWS;
    scheduleRender();
  });
  for (const header of document.querySelectorAll<HTMLElement>('th[data-sort]')) {
    const key = header.dataset['sort'] as SortKey;
    header.addEventListener('click', () => setSort(key));
    header.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' || event.key === ' ') {
        event.preventDefault();
        setSort(key);
      }
    });
  }
  document.addEventListener('keydown', (event) => {
    const typing =
      event.target instanceof HTMLInputElement || event.target instanceof HTMLTextAreaElement;
    if (event.key === '/' && !typing) {
      event.preventDefault();
      search.focus();
      search.select();
    } else if (event.key === 'Escape') {
      if (typing && search.value !== '') {
        search.value = '';
        setFilter({ ...filter, text: '' });
      } else if (detail.selectedId !== null) select(null);
    }
  });
  byId('access').addEventListener('click', () => {
    if (token) {
      token = null;
      storeToken(null);
      notify('Token forgotten: the page is read-only.');
    } else {
      const entered = prompt('Token of this dashboard (runboard dashboard --token …):')?.trim();
      if (!entered) return;
      token = entered;
      storeToken(token);
    }
    renderAccess();
    events.reconnect();
  });
  const themeButton = byId('theme');
  themeButton.addEventListener('click', () => {
    const theme = nextTheme(storedTheme());
    applyTheme(theme, true);
    themeButton.title = `Theme: ${theme} (click to change)`;
  });
  themeButton.title = `Theme: ${storedTheme()} (click to change)`;
}

applyTheme(storedTheme(), false);
wireControls();
renderAccess();
render();
const events = connectEvents({
  url: new URL('api/events', document.baseURI).href,
  headers: () => api.authHeaders(),
  handlers: {
    run: onRunEvent,
    removed: onRemovedEvent,
    summary: onSummaryEvent,
    resources: (data) => resources.render(toResources(data)),
    notices: (data) => renderNotices(byId('notices'), toNotices(data)),
  },
  onOpen: () => void resync(),
  onState: showConnection,
});
setInterval(() => {
  const now = Date.now();
  table.tick(now);
  detail.tick(now);
  summary.tick(now);
}, 1000);
