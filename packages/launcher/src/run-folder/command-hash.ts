import { createHash } from 'node:crypto';

/** What a run's attempt runs, as far as its result depends on it. */
export interface CommandSpec {
  /** The command as the plan gives it: an argv array, or a string run by `sh -c`. */
  command: readonly string[] | string;
  /** The environment the plan sets (not the launcher's own). */
  env: Readonly<Record<string, string>>;
  /** The job's absolute working folder. */
  cwd: string;
}

/** Hex digits kept of the SHA-256: 64 bits tell a changed command apart well enough. */
const HASH_HEX_DIGITS = 16;

/**
 * A short hash (16 hex digits of SHA-256) of a canonical JSON of `command`, `env` (keys
 * sorted, so their order in the plan does not matter) and `cwd`: the record's `commandHash`,
 * to tell whether the plan's command changed since a run ran.
 *
 * @example
 * commandHash({ command: ['python', 'train.py'], env: { SEED: '1' }, cwd: '/work' }); // '3f2a…' (16 hex digits)
 */
export function commandHash(spec: CommandSpec): string {
  const env = Object.fromEntries(
    Object.entries(spec.env).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  );
  const canonical = JSON.stringify({ command: spec.command, cwd: spec.cwd, env });
  return createHash('sha256').update(canonical).digest('hex').slice(0, HASH_HEX_DIGITS);
}
