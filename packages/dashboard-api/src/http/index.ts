export { createDashboardApp } from './create-dashboard-app.js';
export type { DashboardAppOptions } from './create-dashboard-app.js';
export { API_ERROR_CODES, ApiError } from './api-error.js';
export type { ApiErrorBody, ApiErrorCode } from './api-error.js';
export { LOOPBACK_HOSTNAMES, isLoopbackHost } from './host-check.js';
