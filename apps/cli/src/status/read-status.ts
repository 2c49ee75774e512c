import { createRunIndex, MAX_RUN_LIST_LIMIT } from '@runboard/dashboard-api';
import type {
  DashboardSummary,
  DashboardWarning,
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

/**
 * Reads every run under `root` once, through the dashboard's run index (same reading,
 * derived states and `unreadable` handling as the dashboard; no watcher, nothing written).
 *
 * @throws {DashboardRootError} when `root` is not a readable folder.
 * @example
 * const { runs, summary } = await readStatus({ root: 'logs' });
 */
export async function readStatus(options: ReadStatusOptions): Promise<StatusSnapshot> {
  const index = await createRunIndex({
    root: options.root,
    watch: false,
    rescanIntervalMs: 0,
    ...(options.onWarning ? { onWarning: options.onWarning } : {}),
  });
  try {
    const runs: RunView[] = [];
    let cursor: string | undefined;
    do {
      const page = index.list({
        sort: options.sort ?? 'id',
        limit: MAX_RUN_LIST_LIMIT,
        ...(cursor ? { cursor } : {}),
      });
      runs.push(...page.runs);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    const summary = index.summary();
    return { root: index.root, generatedAt: summary.generatedAt, summary, runs };
  } finally {
    await index.close();
  }
}
