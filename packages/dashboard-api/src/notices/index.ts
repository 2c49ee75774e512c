export { DashboardNotices, NOTICE_CODES } from './dashboard-notices.js';
export type { DashboardNotice, NoticeListener } from './dashboard-notices.js';
