export { RunIndex, createRunIndex, WATCH_MODES } from './run-index.js';
export type {
  RunIndexEvent,
  RunIndexListener,
  RunIndexOptions,
  WatchMode,
  WatcherFactory,
} from './run-index.js';
export {
  DASHBOARD_STATUSES,
  STATUS_SORT_ORDER,
  UNREADABLE_STATUS,
  emptyStatusCounts,
  isDashboardStatus,
} from './dashboard-status.js';
export type { DashboardStatus, StatusCounts } from './dashboard-status.js';
export {
  DEFAULT_RUN_LIST_LIMIT,
  InvalidRunQueryError,
  MAX_RUN_LIST_LIMIT,
  RUN_SORT_KEYS,
  SORT_ORDERS,
} from './query.js';
export type { RunListPage, RunListQuery, RunSortKey, SortOrder } from './query.js';
export { LIST_RECORD_OMITS } from './run-view.js';
export type { RunReadProblem, RunView } from './run-view.js';
export type { DashboardSummary, IndexingProgress } from './summary.js';
