export {
  DEFAULT_DASHBOARD_HOST,
  DEFAULT_DASHBOARD_PORT,
  startDashboardServer,
} from './start-dashboard-server.js';
export type { DashboardServer, DashboardServerOptions } from './start-dashboard-server.js';
