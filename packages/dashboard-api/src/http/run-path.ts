import {
  InvalidRunIdError,
  RESERVED_RUN_ID_LAST_SEGMENTS,
  assertValidRunId,
} from '@runboard/launcher';

/** What `/api/runs/<id>[/<action>]` asks for. */
export type RunAction = 'view' | 'log' | 'metrics' | 'cancel';

const RUNS_PREFIX = '/api/runs/';

/**
 * The run id and action of a `/api/runs/…` URL path as sent (percent-encoded). Each segment is
 * decoded on its own, so an encoded `/`, `.` or NUL is decoded and then refused like a literal
 * one: the id is checked with the format's `assertValidRunId`.
 *
 * @throws {InvalidRunIdError} for an id that is not a relative path of safe segments.
 */
export function parseRunPath(pathname: string): { id: string; action: RunAction } {
  const rest = pathname.startsWith(RUNS_PREFIX) ? pathname.slice(RUNS_PREFIX.length) : '';
  let segments: string[];
  try {
    segments = rest.split('/').map((segment) => decodeURIComponent(segment));
  } catch (error) {
    throw new InvalidRunIdError(rest, 'it is not valid percent-encoding', { cause: error });
  }
  let action: RunAction = 'view';
  const last = segments[segments.length - 1];
  if (segments.length > 1 && RESERVED_RUN_ID_LAST_SEGMENTS.has(last)) {
    action = last as RunAction;
    segments.pop();
  }
  const id = segments.join('/');
  assertValidRunId(id);
  return { id, action };
}
