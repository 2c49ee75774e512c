import { DashboardWarning } from '../errors.js';
import type { DashboardErrorCode } from '../errors.js';

const MAX_WARNED_PATHS = 20;

/** Warns that a path cannot be read; a folder an index cannot list must not flood the log. */
export type PathWarner = (
  code: DashboardErrorCode,
  path: string,
  error: NodeJS.ErrnoException,
) => void;

/**
 * A {@link PathWarner} that warns once per path and error code, and at most 20 times in all.
 *
 * @example
 * const warnPath = createPathWarner((warning) => console.warn(warning.message));
 * warnPath(DASHBOARD_ERROR_CODES.scanError, '/data/logs/private', error);
 */
export function createPathWarner(onWarning: (warning: DashboardWarning) => void): PathWarner {
  const warned = new Set<string>();
  return (code, path, error) => {
    const key = `${error.code ?? 'ERROR'} ${path}`;
    if (warned.has(key) || warned.size >= MAX_WARNED_PATHS) return;
    warned.add(key);
    onWarning(
      new DashboardWarning(
        code,
        `Cannot read ${path} (${error.code ?? error.message}); its runs are not shown`,
        { cause: error },
      ),
    );
  };
}
