import { constants as osConstants } from 'node:os';

/** How a process ended: its exit code, or the signal that ended it. */
export interface ProcessExit {
  exitCode: number | null;
  /** A signal name (`SIGKILL`) or number (9). */
  signal: string | number | null;
}

/** Exit codes with a meaning of their own (POSIX shells' conventions). */
const EXIT_CODE_MEANINGS: Readonly<Record<number, string>> = {
  126: 'command found but not executable',
  127: 'command not found',
};

/**
 * How a process ended, in plain words: the text the supervisor records as a failed run's
 * `error`, so that every front end shows the same words by showing `error`. Exit codes 126 and
 * 127 (a shell's "not executable" and "not found") and signals are named.
 *
 * @example
 * describeExit({ exitCode: 3, signal: null }); // 'exited with code 3'
 * describeExit({ exitCode: 127, signal: null }); // 'exited with code 127 (command not found)'
 * describeExit({ exitCode: null, signal: 'SIGKILL' }); // 'killed by SIGKILL (signal 9)'
 */
export function describeExit({ exitCode, signal }: ProcessExit): string {
  if (signal !== null && signal !== undefined) return `killed by ${describeSignal(signal)}`;
  if (exitCode === null || exitCode === undefined) return 'ended without an exit code or signal';
  const meaning = EXIT_CODE_MEANINGS[exitCode];
  return `exited with code ${exitCode}${meaning ? ` (${meaning})` : ''}`;
}

/** `SIGKILL (signal 9)`; a signal this platform does not know by name or number as given. */
function describeSignal(signal: string | number): string {
  const signals = osConstants.signals as Readonly<Record<string, number>>;
  if (typeof signal === 'number') {
    const name = Object.keys(signals).find((key) => signals[key] === signal);
    return name ? `${name} (signal ${signal})` : `signal ${signal}`;
  }
  const number = Object.hasOwn(signals, signal) ? signals[signal] : undefined;
  return number === undefined ? signal : `${signal} (signal ${number})`;
}
