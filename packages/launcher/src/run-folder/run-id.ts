import { lstatSync, realpathSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';

/** Last segments that would collide with the dashboard's sub-routes (`/api/runs/<id>/log`…). */
export const RESERVED_RUN_ID_LAST_SEGMENTS: ReadonlySet<string> = new Set([
  'log',
  'metrics',
  'cancel',
]);

const SAFE_SEGMENT = /^[A-Za-z0-9._=+,@-]+$/;
const MAX_RUN_ID_LENGTH = 1024;
/** A run id segment is a folder name: most file systems allow 255 bytes (NAME_MAX). */
const MAX_SEGMENT_BYTES = 255;

/** A run id that is not a relative path of safe segments, or a run folder outside its root. */
export class InvalidRunIdError extends Error {
  override readonly name = 'InvalidRunIdError';
  readonly code = 'RUNBOARD_INVALID_RUN_ID';
  constructor(
    readonly runId: string,
    readonly reason: string,
    options?: ErrorOptions,
  ) {
    super(`Invalid run id ${JSON.stringify(runId)}: ${reason}`, options);
  }
}

/** Why `runId` is not a valid run id, or `undefined` when it is. */
export function runIdProblem(runId: string): string | undefined {
  if (typeof runId !== 'string') return 'it is not a string';
  if (runId.length === 0) return 'it is empty';
  if (runId.length > MAX_RUN_ID_LENGTH) return `it is longer than ${MAX_RUN_ID_LENGTH} characters`;
  if (runId.includes('\0')) return 'it contains a NUL character';
  if (runId.includes('\\')) return 'it contains a backslash; use / between segments';
  if (runId.startsWith('/') || isAbsolute(runId)) return 'it is an absolute path';
  const segments = runId.split('/');
  for (const segment of segments) {
    if (segment === '') return 'it has an empty segment (a leading, trailing or doubled /)';
    if (segment === '.' || segment === '..') return `segment "${segment}" is not allowed`;
    if (segment.startsWith('.')) return `segment "${segment}" starts with a dot`;
    if (!SAFE_SEGMENT.test(segment)) {
      return `segment "${segment}" may only contain letters, digits and ._=+,@-`;
    }
    const bytes = Buffer.byteLength(segment);
    if (bytes > MAX_SEGMENT_BYTES) {
      return `segment "${segment.slice(0, 32)}…" is ${bytes} bytes long; a folder name may have at most ${MAX_SEGMENT_BYTES}`;
    }
  }
  const last = segments[segments.length - 1];
  if (RESERVED_RUN_ID_LAST_SEGMENTS.has(last)) {
    return `its last segment "${last}" is reserved (log, metrics and cancel name dashboard routes)`;
  }
  return undefined;
}

/**
 * Whether `runId` is a relative path of safe segments, e.g. `cdd/Changer-s50_run_2`.
 *
 * @example
 * isValidRunId('sweep/lr=0.1,seed=2'); // true
 * isValidRunId('../etc'); // false
 */
export function isValidRunId(runId: string): boolean {
  return runIdProblem(runId) === undefined;
}

/**
 * Throws {@link InvalidRunIdError} unless `runId` is valid.
 *
 * @example
 * assertValidRunId(request.params.id);
 */
export function assertValidRunId(runId: string): void {
  const problem = runIdProblem(runId);
  if (problem !== undefined) throw new InvalidRunIdError(runId, problem);
}

/**
 * The folder of run `runId` under `root`, checked to stay inside `root` also through symbolic
 * links (any existing part of the path is resolved with `realpath`).
 *
 * @throws {InvalidRunIdError} for an invalid id or a folder that resolves outside `root`.
 * @example
 * const dir = resolveRunDir('/data/logs', 'cdd/Changer-s50_run_2');
 * // '/data/logs/cdd/Changer-s50_run_2'
 */
export function resolveRunDir(root: string, runId: string): string {
  assertValidRunId(runId);
  const runDir = join(root, ...runId.split('/'));
  // Both sides through the same resolution: a root that does not exist yet may still sit
  // below a symbolic link (macOS /tmp, a linked data disk).
  const realRoot = realpathOfExistingPrefix(resolve(root)) ?? resolve(root);
  const realDir = realpathOfExistingPrefix(resolve(runDir));
  if (realDir === undefined) {
    throw new InvalidRunIdError(
      runId,
      `its folder passes through a dangling symbolic link under ${root}`,
    );
  }
  const inside = relative(realRoot, realDir);
  if (inside === '' || inside.startsWith('..' + sep) || inside === '..' || isAbsolute(inside)) {
    throw new InvalidRunIdError(runId, `its folder resolves outside the root ${root}`);
  }
  return runDir;
}

/**
 * realpath of the longest existing prefix of `path`, with the missing rest appended;
 * `undefined` when a part of it is a symbolic link that points nowhere (following it later
 * could create folders anywhere).
 */
function realpathOfExistingPrefix(path: string): string | undefined {
  const missing: string[] = [];
  let current = path;
  for (;;) {
    try {
      return join(realpathSync(current), ...missing.reverse());
    } catch {
      if (isSymbolicLink(current)) return undefined;
      const parent = dirname(current);
      if (parent === current) return path;
      missing.push(basename(current));
      current = parent;
    }
  }
}

function isSymbolicLink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}
