import { RunboardError } from '@runboard/locking';

/** Stable codes of this package's errors and warnings. */
export const DASHBOARD_ERROR_CODES = {
  /**
   * The index polls instead of using OS file events: the root is on a shared file system
   * (NFS, FUSE/sshfs, Lustre …), or the OS ran out of watches.
   */
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
export class DashboardWarning extends RunboardError<DashboardErrorCode> {}

/** `startDashboardServer` was asked to listen on a non-loopback address without a token. */
export class InsecureBindError extends RunboardError<typeof DASHBOARD_ERROR_CODES.insecureBind> {
  constructor(readonly host: string) {
    super(
      DASHBOARD_ERROR_CODES.insecureBind,
      `Refusing to listen on ${host}: it is not a loopback address and no token was given. ` +
        'Pass a token (it then guards every API request), or listen on 127.0.0.1.',
    );
  }
}

/** The root folder given to the index does not exist or is not a folder. */
export class DashboardRootError extends RunboardError<typeof DASHBOARD_ERROR_CODES.badRoot> {
  constructor(
    readonly root: string,
    options?: ErrorOptions,
  ) {
    super(
      DASHBOARD_ERROR_CODES.badRoot,
      `The dashboard root ${root} is not a readable folder`,
      options,
    );
  }
}
