import type { SlurmCommandRunner } from './slurm-commands.js';

/**
 * The `jobcomp/filetxt` log of the cluster (`JobCompLoc`), from `scontrol show config`;
 * `undefined` when jobs are not logged to a file (or scontrol cannot say).
 *
 * @example
 * await findJobCompFile(slurm); // '/var/log/slurm/jobcomp.log'
 */
export async function findJobCompFile(slurm: SlurmCommandRunner): Promise<string | undefined> {
  let config: string;
  try {
    config = await slurm.run('scontrol', ['show', 'config']);
  } catch {
    return undefined;
  }
  const value = (name: string) => new RegExp(`^${name}\\s*=\\s*(\\S+)`, 'm').exec(config)?.[1];
  return value('JobCompType') === 'jobcomp/filetxt' ? value('JobCompLoc') : undefined;
}
