import { RunboardError } from '@runboard/locking';

/** A Slurm command (`sbatch`, `squeue`, `scancel`, `sinfo`) is not installed on this host. */
export class SlurmMissingError extends RunboardError<'RUNBOARD_SLURM_MISSING'> {
  constructor(
    readonly command: string,
    options?: ErrorOptions,
  ) {
    super(
      'RUNBOARD_SLURM_MISSING',
      `${command} not found: the Slurm executor needs Slurm's client commands on this host (PATH)`,
      options,
    );
  }
}

/** A Slurm command failed; `message` carries Slurm's own words (its stderr). */
export class SlurmCommandError extends RunboardError<
  'RUNBOARD_SLURM_COMMAND' | 'RUNBOARD_SLURM_SUBMIT'
> {
  constructor(
    readonly command: string,
    readonly exitCode: number | null,
    readonly stderr: string,
    options?: ErrorOptions,
  ) {
    super(
      'RUNBOARD_SLURM_COMMAND',
      `${command} failed (exit ${exitCode ?? 'by signal'}): ${stderr.trim() || '(no message)'}`,
      options,
    );
  }
}

/** Slurm rejected a job (`sbatch` failed): `message` carries Slurm's reason. */
export class SlurmSubmitError extends SlurmCommandError {
  override readonly code = 'RUNBOARD_SLURM_SUBMIT';
}
