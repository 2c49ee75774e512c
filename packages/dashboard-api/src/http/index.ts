export { createDashboardApp } from './create-dashboard-app.js';
export type { DashboardAppOptions, DashboardEnv } from './dashboard-app-options.js';
export { API_ERROR_CODES, ApiError } from './api-error.js';
export type { ApiErrorBody, ApiErrorCode, ApiErrorOptions } from './api-error.js';
export { LOOPBACK_HOSTNAMES, isLoopbackHost } from './host-check.js';
export type { NoticesBody } from './notices-body.js';
