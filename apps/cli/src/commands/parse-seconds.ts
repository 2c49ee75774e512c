import { InvalidArgumentError } from 'commander';

/**
 * A commander argument parser for a positive number of seconds (`--wait 20`, `--watch 0.5`).
 *
 * @example
 * new Command('status').option('--watch [seconds]', 'redraw every SECONDS', parseSeconds);
 */
export function parseSeconds(value: string): number {
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds <= 0)
    throw new InvalidArgumentError('expected a number of seconds');
  return seconds;
}
