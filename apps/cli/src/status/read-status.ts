import { createRunIndex, MAX_RUN_LIST_LIMIT } from '@runboard/dashboard-api';
import type {
  DashboardSummary,
  DashboardWarning,
  RunIndex,
  RunSortKey,
  RunView,
} from '@runboard/dashboard-api';

/** Every run under a root and their summary, at one moment. */
export interface StatusSnapshot {
  /** The root, absolute with symbolic links resolved. */
  root: string;
  generatedAt: string;
  summary: DashboardSummary;
  runs: RunView[];
}

export interface ReadStatusOptions {
  root: string;
  /** Default `id`. */
  sort?: RunSortKey;
  onWarning?: (warning: DashboardWarning) => void;
}

/** Reads a root again and again (`status --watch`): each read looks only at what changed. */
export interface StatusReader {
  read(): Promise<StatusSnapshot>;
  close(): Promise<void>;
}

/**
 * Reads every run under `root` once, through the dashboard's run index (same reading,
 * derived states and `unreadable` handling as the dashboard; no watcher, nothing written).
 *
 * @throws {DashboardRootError} when `root` is not a readable folder.
 * @example
 * const { runs, summary } = await readStatus({ root: 'logs' });
 */
export async function readStatus(options: ReadStatusOptions): Promise<StatusSnapshot> {
  const reader = await openStatusReader(options);
  try {
    return await reader.read();
  } finally {
    await reader.close();
  }
}

/**
 * A {@link readStatus} that keeps its index between reads: the first read is the index's
 * first scan; later ones rescan, re-reading only records whose file changed.
 *
 * @throws {DashboardRootError} when `root` is not a readable folder.
 * @example
 * const reader = await openStatusReader({ root: 'logs' });
 * const first = await reader.read();
 * const later = await reader.read();
 * await reader.close();
 */
export async function openStatusReader(options: ReadStatusOptions): Promise<StatusReader> {
  const index = await createRunIndex({
    root: options.root,
    watch: false,
    rescanIntervalMs: 0,
    ...(options.onWarning ? { onWarning: options.onWarning } : {}),
  });
  let scanned = true;
  return {
    async read() {
      if (!scanned) {
        await index.rescan();
        index.refresh();
      }
      scanned = false;
      return snapshot(index, options.sort ?? 'id');
    },
    close: () => index.close(),
  };
}

function snapshot(index: RunIndex, sort: RunSortKey): StatusSnapshot {
  const runs: RunView[] = [];
  let cursor: string | undefined;
  do {
    const page = index.list({ sort, limit: MAX_RUN_LIST_LIMIT, ...(cursor ? { cursor } : {}) });
    runs.push(...page.runs);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  const summary = index.summary();
  return { root: index.root, generatedAt: summary.generatedAt, summary, runs };
}
