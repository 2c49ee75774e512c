import { Option } from 'commander';

/**
 * `--root <dir>` of the commands that read run folders (`dashboard`, `status`, `cancel`):
 * the folder that holds them, `logs` by default.
 *
 * @example
 * new Command('status').addOption(rootOption());
 */
export function rootOption(): Option {
  return new Option('--root <dir>', 'the folder that holds the run folders').default('logs');
}
