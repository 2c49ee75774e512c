import { stat } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { RunboardError } from '@runboard/locking';

/**
 * What a launcher sends a remote standby (not the local executor's `StandbyAssignment`, which
 * replaces the whole environment of a process started by path) (`runboard standby` started ahead on a server, see the
 * SSH executor): the `runboard exec` it is to become. One JSON line on its stdin.
 */
export interface RemoteStandbyAssignment {
  /** The words after `exec`: flags, `--`, the job's argv. */
  args: string[];
  /** Variables added to the standby's environment (the run's, `CUDA_VISIBLE_DEVICES`). */
  env: Record<string, string>;
  /** The working folder of the supervisor (the run folder). */
  cwd: string;
}

/** The line a standby answers once it has taken its assignment. */
export const STANDBY_TAKEN = 'taken';

/** A standby's stdin held something other than one {@link RemoteStandbyAssignment} line. */
export class StandbyAssignmentError extends RunboardError<'RUNBOARD_STANDBY_ASSIGNMENT'> {
  constructor(message: string, options?: ErrorOptions) {
    super('RUNBOARD_STANDBY_ASSIGNMENT', message, options);
  }
}

const isStringRecord = (value: unknown): value is Record<string, string> =>
  typeof value === 'object' &&
  value !== null &&
  !Array.isArray(value) &&
  Object.values(value).every((item) => typeof item === 'string');

/**
 * Reads one assignment from a standby's stdin: the first line, as JSON. Resolves `undefined`
 * when the input ends first (the launcher left: the standby exits without a run). Answers
 * {@link STANDBY_TAKEN} on `output` before it resolves, so the launcher knows the run is taken
 * and can let go of its connection.
 *
 * @throws {StandbyAssignmentError} when the line is not an assignment.
 * @example
 * const assignment = await readStandbyAssignment(process.stdin, process.stdout);
 * if (assignment) await main(['exec', ...assignment.args]);
 */
export async function readStandbyAssignment(
  input: Readable,
  output: Writable,
): Promise<RemoteStandbyAssignment | undefined> {
  const lines = createInterface({ input, crlfDelay: Infinity });
  let line: string | undefined;
  for await (const text of lines) {
    line = text;
    break; // leaving the loop closes the reader
  }
  if (line === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    throw new StandbyAssignmentError('the standby assignment is not JSON', { cause: error });
  }
  const { args, env, cwd } = (value ?? {}) as Partial<RemoteStandbyAssignment>;
  if (!Array.isArray(args) || !args.every((arg) => typeof arg === 'string'))
    throw new StandbyAssignmentError('Expected `args` of the standby assignment to be strings');
  if (!isStringRecord(env))
    throw new StandbyAssignmentError(
      'Expected `env` of the standby assignment to map names to strings',
    );
  if (typeof cwd !== 'string' || cwd === '')
    throw new StandbyAssignmentError('Expected `cwd` of the standby assignment to be a folder');
  // Refused before `taken`: the launcher then starts the run the usual way, and says why.
  if (!(await stat(cwd).catch(() => undefined))?.isDirectory())
    throw new StandbyAssignmentError(`the run folder ${cwd} is not a folder on this host`);
  await new Promise<void>((resolve, reject) =>
    output.write(`${STANDBY_TAKEN}\n`, (error) => (error ? reject(error) : resolve())),
  );
  return { args, env, cwd };
}

/**
 * The standby's side, in its own process: waits for the assignment on stdin
 * ({@link readStandbyAssignment}), lets go of the launcher's connection (later writes to
 * stdout or stderr are lost, never an error that ends the run), takes the assignment's
 * environment and folder, and resolves with the exec arguments to run; `undefined` when stdin
 * ended first.
 *
 * @throws {StandbyAssignmentError} when stdin held no valid assignment.
 * @example
 * const args = await awaitStandbyAssignment();
 * if (args) process.exitCode = await main(['exec', ...args]);
 */
export async function awaitStandbyAssignment(): Promise<string[] | undefined> {
  const assignment = await readStandbyAssignment(process.stdin, process.stdout);
  if (!assignment) return undefined;
  process.stdin.destroy();
  process.stdout.on('error', () => undefined);
  process.stderr.on('error', () => undefined);
  Object.assign(process.env, assignment.env);
  process.chdir(assignment.cwd);
  return assignment.args;
}
