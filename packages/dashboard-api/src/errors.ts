/** Stable codes of this package's errors and warnings. */
export const DASHBOARD_ERROR_CODES = {
  /** The watcher ran out of OS watches (or `poll` was asked for): the index polls instead. */
  polling: 'RUNBOARD_DASHBOARD_POLLING',
  /** The file watcher reported an error it keeps running after. */
  watchError: 'RUNBOARD_DASHBOARD_WATCH_ERROR',
  /** A folder under the root could not be read during a scan. */
  scanError: 'RUNBOARD_DASHBOARD_SCAN_ERROR',
  /** Binding a non-loopback address without a token was refused. */
  insecureBind: 'RUNBOARD_DASHBOARD_INSECURE_BIND',
  /** The root folder is missing or not a folder. */
  badRoot: 'RUNBOARD_DASHBOARD_BAD_ROOT',
} as const;

export type DashboardErrorCode = (typeof DASHBOARD_ERROR_CODES)[keyof typeof DASHBOARD_ERROR_CODES];

/**
 * Something the operator should know that does not stop the dashboard, e.g. the switch to
 * polling. Given to `onWarning` (default: `process.emitWarning`).
 */
export class DashboardWarning extends Error {
  override readonly name = 'DashboardWarning';
  constructor(
    readonly code: DashboardErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** `startDashboardServer` was asked to listen on a non-loopback address without a token. */
export class InsecureBindError extends Error {
  override readonly name = 'InsecureBindError';
  readonly code = DASHBOARD_ERROR_CODES.insecureBind;
  constructor(readonly host: string) {
    super(
      `Refusing to listen on ${host}: it is not a loopback address and no token was given. ` +
        'Pass a token (it then guards every API request), or listen on 127.0.0.1.',
    );
  }
}

/** The root folder given to the index does not exist or is not a folder. */
export class DashboardRootError extends Error {
  override readonly name = 'DashboardRootError';
  readonly code = DASHBOARD_ERROR_CODES.badRoot;
  constructor(
    readonly root: string,
    options?: ErrorOptions,
  ) {
    super(`The dashboard root ${root} is not a readable folder`, options);
  }
}
