import { InvalidArgumentError } from 'commander';
import { minimatch } from 'minimatch';
import { DASHBOARD_STATUSES, isDashboardStatus } from '@runboard/dashboard-api';
import type { DashboardStatus, RunView } from '@runboard/dashboard-api';

/** Which runs a command works on: id patterns and statuses (each empty: every run). */
export interface RunSelection {
  /** Run ids or globs (`sweep/*`, `sweep/**`, `cdd/run_?`). */
  patterns: readonly string[];
  statuses: readonly DashboardStatus[];
}

/**
 * Whether `run` is selected: its id matches one of the patterns, or lies under a folder one of
 * them names (`sweep` and `sweep/*` both select `sweep/a/b`), and its shown or stored status is
 * one of the statuses (`running` selects a `stalled (running)` run too).
 *
 * @example
 * isSelected(run, { patterns: ['sweep/*'], statuses: ['failed', 'running'] });
 */
export function isSelected(run: RunView, selection: RunSelection): boolean {
  if (
    selection.statuses.length > 0 &&
    !selection.statuses.includes(run.status) &&
    !(run.storedStatus !== null && selection.statuses.includes(run.storedStatus))
  )
    return false;
  if (selection.patterns.length === 0) return true;
  const folders = idAndFolders(run.id);
  return selection.patterns.some((pattern) =>
    folders.some((id) => minimatch(id, pattern, { nonegate: true, nocomment: true })),
  );
}

/** The patterns that select none of `runs` (to say so: a typo should not pass silently). */
export function unmatchedPatterns(runs: readonly RunView[], patterns: readonly string[]): string[] {
  return patterns.filter(
    (pattern) => !runs.some((run) => isSelected(run, { patterns: [pattern], statuses: [] })),
  );
}

/**
 * Parses `--status failed,running` (commander argument parser): statuses the dashboard shows,
 * comma-separated.
 *
 * @example
 * parseStatusList('failed,running'); // ['failed', 'running']
 */
export function parseStatusList(value: string): DashboardStatus[] {
  const statuses = value
    .split(',')
    .map((status) => status.trim())
    .filter((status) => status !== '');
  const unknown = statuses.filter((status) => !isDashboardStatus(status));
  if (statuses.length === 0 || unknown.length > 0) {
    throw new InvalidArgumentError(
      `expected statuses separated by commas, from ${DASHBOARD_STATUSES.join(', ')}` +
        (unknown.length > 0 ? ` (not: ${unknown.join(', ')})` : ''),
    );
  }
  return statuses as DashboardStatus[];
}

/** `a/b/c` → `['a/b/c', 'a/b', 'a']`. */
function idAndFolders(id: string): string[] {
  const segments = id.split('/');
  return segments.map((_, index) => segments.slice(0, segments.length - index).join('/'));
}
