import { describe } from 'vitest';

/**
 * `describe` for suites that need something a machine may lack (the Slurm cluster, the
 * simulated SSH hosts): when `skipReason` says it is missing, the suite is skipped and the reason
 * is printed once, as `<what> skipped: <reason>`, so that a run shows why it did not test it.
 *
 * @example
 * const describeOnCluster = describeOrSkip(slurmSkipReason(), 'Slurm executor tests');
 * describeOnCluster('the Slurm executor', { timeout: 90_000 }, () => { … });
 */
export function describeOrSkip(
  skipReason: string | undefined,
  what: string,
): ReturnType<typeof describe.skipIf> {
  if (skipReason !== undefined) console.warn(`${what} skipped: ${skipReason}`);
  return describe.skipIf(skipReason !== undefined);
}
