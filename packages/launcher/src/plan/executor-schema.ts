import { z } from 'zod';

/** Slurm resources of a run's job; plan-wide in `executor`, per run in `slurm`. */
export const slurmResourcesSchema = z.strictObject({
  partition: z.string().min(1).optional().describe('sbatch --partition.'),
  account: z.string().min(1).optional().describe('sbatch --account.'),
  qos: z.string().min(1).optional().describe('sbatch --qos.'),
  timeLimit: z.string().min(1).optional().describe('sbatch --time, e.g. 2-00:00:00.'),
  cpusPerTask: z.number().int().positive().optional().describe('sbatch --cpus-per-task.'),
  memPerNode: z.string().min(1).optional().describe('sbatch --mem, e.g. 64G.'),
  gres: z.string().min(1).optional().describe('sbatch --gres for one run, e.g. gpu:1.'),
  requeue: z
    .boolean()
    .optional()
    .describe(
      'sbatch --requeue (true) or --no-requeue (false): whether Slurm may requeue the job ' +
        '(preemption, a failed node); a requeued attempt is not counted as failed.',
    ),
  extraArgs: z
    .array(z.string().min(1))
    .optional()
    .describe('More sbatch arguments, e.g. ["--constraint=h100"].'),
});

export type SlurmResources = z.infer<typeof slurmResourcesSchema>;

const runboardPath = z
  .string()
  .min(1)
  .optional()
  .describe('The runboard CLI where jobs run (default: runboard on its PATH).');

/** Runs are processes of this machine (the default). */
const localExecutorSchema = z.strictObject({ kind: z.literal('local') });

/** Runs are Slurm jobs, one `sbatch` per attempt; Slurm hands out the GPUs. */
const slurmExecutorSchema = z.strictObject({
  kind: z.literal('slurm'),
  ...slurmResourcesSchema.omit({ gres: true }).shape,
  gresPerRun: z.string().min(1).optional().describe('sbatch --gres of each run, e.g. gpu:1.'),
  runboard: runboardPath,
});

/** Runs go to the plan's `servers` over SSH (implied by `servers`). */
const sshExecutorSchema = z.strictObject({
  kind: z.literal('ssh'),
  runboard: runboardPath,
});

/** Where a plan's runs execute: `local` (default), `ssh` (a server pool) or `slurm`. */
export const executorSchema = z
  .discriminatedUnion('kind', [localExecutorSchema, sshExecutorSchema, slurmExecutorSchema], {
    error: 'expected { "kind": "local" }, { "kind": "ssh", … } or { "kind": "slurm", … }',
  })
  .describe('Where the runs execute: local processes (default), SSH servers or Slurm jobs.');

export type ExecutorSettings = z.infer<typeof executorSchema>;
export type SlurmExecutorSettings = z.infer<typeof slurmExecutorSchema>;
export type SshExecutorSettings = z.infer<typeof sshExecutorSchema>;
