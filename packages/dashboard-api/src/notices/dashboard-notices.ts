import { checkFunctionOption } from '@runboard/locking';
import { DASHBOARD_ERROR_CODES } from '../errors.js';
import type { DashboardErrorCode, DashboardWarning } from '../errors.js';

/**
 * Codes of the warnings about the dashboard as a whole, which the page shows as notices
 * (warnings about single paths, such as an unreadable folder, only go to the log).
 */
export const NOTICE_CODES: ReadonlySet<DashboardErrorCode> = new Set([
  DASHBOARD_ERROR_CODES.polling,
]);

/** Something the page should say about the dashboard, e.g. that it polls a shared root. */
export interface DashboardNotice {
  code: DashboardErrorCode;
  message: string;
  /** When it was raised (ISO-8601). */
  at: string;
}

export type NoticeListener = (notices: readonly DashboardNotice[]) => void;

/**
 * The notices of one dashboard (`GET /api/notices`, SSE `notices`): the warnings of
 * {@link NOTICE_CODES} it raised, each message once, in order.
 *
 * @example
 * const notices = new DashboardNotices();
 * const index = await RunIndex.open({ root, onWarning: (warning) => notices.add(warning) });
 * notices.list(); // [{ code: 'RUNBOARD_DASHBOARD_POLLING', message: '… is on a shared file system (NFS) …', at }]
 */
export class DashboardNotices {
  private readonly notices: DashboardNotice[] = [];
  private readonly listeners = new Set<NoticeListener>();

  /** Keeps `warning` when it is about the dashboard and new; whether it was kept. */
  add(warning: DashboardWarning, now: number = Date.now()): boolean {
    if (!NOTICE_CODES.has(warning.code)) return false;
    if (this.notices.some((notice) => notice.message === warning.message)) return false;
    this.notices.push({
      code: warning.code,
      message: warning.message,
      at: new Date(now).toISOString(),
    });
    const notices = this.list();
    for (const listener of [...this.listeners]) listener(notices);
    return true;
  }

  list(): DashboardNotice[] {
    return this.notices.map((notice) => ({ ...notice }));
  }

  /** Calls `listener` with every notice whenever one is added; returns the unsubscribe. */
  subscribe(listener: NoticeListener): () => void {
    checkFunctionOption('listener', listener);
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }
}
