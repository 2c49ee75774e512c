import type { DashboardNotice } from '../notices/dashboard-notices.js';
import type { RunIndex, WatchMode } from '../run-index/run-index.js';

/** `GET /api/notices` and the SSE `notices` event. */
export interface NoticesBody {
  /** How the index learns about changes now: `events`, `poll`, or `off` (not yet started). */
  watchMode: WatchMode;
  /** The notices about the dashboard, oldest first; empty when all is as usual. */
  notices: DashboardNotice[];
}

/**
 * The answer of `GET /api/notices`.
 *
 * @example
 * noticesBody(index, notices.list()); // { watchMode: 'poll', notices: [{ code, message, at }] }
 */
export function noticesBody(index: RunIndex, notices: DashboardNotice[]): NoticesBody {
  return { watchMode: index.watchMode, notices };
}
