import { z } from 'zod';
import { executorSchema, slurmResourcesSchema } from './executor-schema.js';
import { runIdProblem } from '../run-folder/run-id.js';
import { serversSchema } from './server-schema.js';

const positiveSeconds = z.number().positive();

const runId = z.string().superRefine((id, context) => {
  const problem = runIdProblem(id);
  if (problem !== undefined)
    context.addIssue({
      code: 'custom',
      message: `invalid run id ${JSON.stringify(id)}: ${problem}`,
    });
});
const gpuId = z.number().int().nonnegative();

/** The job of a run: an argv array (no shell) or a string run by `sh -c`. */
export const commandSchema = z
  .union(
    [z.array(z.string()).min(1, 'must not be empty'), z.string().min(1, 'must not be empty')],
    {
      error: 'expected array or string',
    },
  )
  .describe('An argv array (run without a shell) or a string (run by sh -c).');

/** `env`: environment variables added to the launcher's own. */
export const envSchema = z
  .record(z.string(), z.string({ error: 'expected string' }))
  .describe("Environment variables for the job, added to the launcher's own.");

/** `progress.epochDirs`: progress counted from consecutive `epoch_K/` folders holding all expected files. */
export const epochDirsSchema = z.strictObject({
  expectedFiles: z
    .array(z.string().min(1))
    .min(1, 'must not be empty')
    .describe('Files every epoch_K/ folder must hold.'),
  total: z.number().int().positive().describe('The number of epochs in all.'),
  dir: z
    .string()
    .min(1)
    .optional()
    .describe(
      "The folder holding the epoch_K/ folders, relative to the job's cwd (default: the run folder).",
    ),
});

/** A run's `progress`: sources besides `##runboard` lines and tqdm bars (`epochDirs`). */
export const runProgressConfigSchema = z
  .strictObject({ epochDirs: epochDirsSchema.optional() })
  .describe('Progress sources besides ##runboard lines and tqdm bars, which are always read.');

/** Only start on GPUs that `nvidia-smi` shows as idle enough (the original tool's rule). */
export const gpuPolicySchema = z
  .strictObject({
    maxUtilizationPercent: z
      .number()
      .min(0)
      .max(100)
      .optional()
      .describe('Start only on GPUs whose utilization is below this.'),
    minFreeMemoryMiB: z
      .number()
      .nonnegative()
      .optional()
      .describe('Start only on GPUs with more free memory than this.'),
    maxCpuPercent: z
      .number()
      .min(0)
      .max(100)
      .optional()
      .describe('Start only on servers whose CPU load (1-minute load / cores) is below this.'),
    minFreeRamMiB: z
      .number()
      .nonnegative()
      .optional()
      .describe('Start only on servers with more available RAM than this.'),
    checkIntervalSeconds: positiveSeconds
      .optional()
      .describe('How often to ask nvidia-smi again while runs wait for a GPU (default 10).'),
  })
  .refine(
    (policy) =>
      policy.maxUtilizationPercent !== undefined ||
      policy.minFreeMemoryMiB !== undefined ||
      policy.maxCpuPercent !== undefined ||
      policy.minFreeRamMiB !== undefined,
    {
      error: 'set maxUtilizationPercent, minFreeMemoryMiB, maxCpuPercent or minFreeRamMiB',
    },
  );

export type GpuPolicy = z.infer<typeof gpuPolicySchema>;

/** Settings a run may override (plan-wide defaults otherwise). */
const runSettings = {
  env: envSchema.optional(),
  cwd: z
    .string()
    .min(1)
    .optional()
    .describe("The job's working folder, relative to the plan file's folder."),
  gpus: z
    .union([z.number().int().nonnegative(), z.array(gpuId).min(1, 'must not be empty')], {
      error: 'expected a GPU count or an array of GPU ids',
    })
    .optional()
    .describe('How many GPUs the run needs (default gpusPerRun), or exactly which ones.'),
  retries: z.number().int().nonnegative().optional().describe('Extra attempts after a failure.'),
  retryDelaySeconds: z.number().nonnegative().optional(),
  timeoutSeconds: positiveSeconds.optional(),
  dependsOn: z
    .array(z.string().min(1))
    .optional()
    .describe('Run ids that must succeed before this run starts.'),
  progress: runProgressConfigSchema.optional(),
  slurm: slurmResourcesSchema
    .optional()
    .describe("Slurm resources of this run, over the executor's (executor.kind slurm only)."),
  servers: z
    .array(z.string().min(1))
    .min(1, 'must not be empty')
    .optional()
    .describe("Names of the plan's servers this run may start on (default: any)."),
};

/** One run of a plan. */
export const runSpecSchema = z.strictObject({
  id: runId.describe('A relative path of safe segments, e.g. cdd/Changer-s50_run_2.'),
  command: commandSchema,
  ...runSettings,
});

export type RunSpec = z.infer<typeof runSpecSchema>;

const sweepValue = z.union([z.string(), z.number(), z.boolean()], {
  error: 'expected string, number or boolean',
});
const sweepKey = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected a name of letters, digits and _');
const sweepLists = z.record(sweepKey, z.array(sweepValue).min(1, 'must not be empty'));

/**
 * Many runs from one template: `{key}` in `id`, `command`, `env`, `cwd`, `dependsOn` and
 * `progress` is replaced by each value. `matrix` crosses its lists (cartesian), `zip` pairs
 * them by position; both together cross the zipped rows with the matrix.
 */
export const sweepSpecSchema = z.strictObject({
  id: z.string().describe('The run id template, e.g. cdd/{model}_run_{seed}.'),
  command: commandSchema,
  matrix: sweepLists.optional().describe('Lists crossed with each other (cartesian product).'),
  zip: sweepLists.optional().describe('Lists of equal length, paired by position.'),
  ...runSettings,
});

export type SweepSpec = z.infer<typeof sweepSpecSchema>;

/** A plan file: what to run, and how. */
export const planSchema = z
  .strictObject({
    $schema: z.string().optional(),
    root: z
      .string()
      .min(1)
      .optional()
      .describe(
        "The folder of the run folders, relative to the plan file's folder (default logs).",
      ),
    concurrency: z
      .number()
      .int()
      .positive()
      .optional()
      .describe('Runs at once (default: GPU slots, else CPU count).'),
    gpus: z
      .array(gpuId)
      .optional()
      .describe('GPU device ids to hand out; each run gets CUDA_VISIBLE_DEVICES.'),
    servers: serversSchema.optional(),
    gpusPerRun: z.number().int().nonnegative().optional().describe('GPUs per run (default 1).'),
    runsPerGpu: z
      .number()
      .int()
      .positive()
      .optional()
      .describe('Runs sharing one GPU (default 1).'),
    gpuPolicy: gpuPolicySchema.optional(),
    retries: z
      .number()
      .int()
      .nonnegative()
      .optional()
      .describe('Extra attempts after a failure (default 0).'),
    retryDelaySeconds: z
      .number()
      .nonnegative()
      .optional()
      .describe('Wait before a retry (default 0).'),
    timeoutSeconds: positiveSeconds
      .optional()
      .describe('Stop a run after this long and record it failed.'),
    env: envSchema.optional(),
    cwd: z
      .string()
      .min(1)
      .optional()
      .describe("The jobs' working folder, relative to the plan file's folder."),
    heartbeatSeconds: positiveSeconds
      .optional()
      .describe('Supervisor heartbeat interval (default 10).'),
    stalledAfterSeconds: positiveSeconds
      .optional()
      .describe('A running run without a heartbeat for this long is lost (default 60).'),
    stuckAfterSeconds: positiveSeconds
      .optional()
      .describe(
        'A run whose progress has not changed for this long is shown stuck (default 1800).',
      ),
    outdatedAfterDays: z
      .number()
      .positive()
      .optional()
      .describe('A run that succeeded longer ago than this runs again.'),
    logMaxBytes: z
      .number()
      .int()
      .positive()
      .optional()
      .describe('Cap of each run.log (the supervisor keeps the newest bytes).'),
    metricsMaxBytes: z
      .number()
      .int()
      .min(1024)
      .optional()
      .describe(
        "Cap of each metrics.jsonl: beyond it the older half is thinned (default: the supervisor's, 8 MiB).",
      ),
    executor: executorSchema.optional(),
    runs: z.array(runSpecSchema).optional(),
    sweeps: z.array(sweepSpecSchema).optional(),
  })
  .describe('A runboard plan: the runs to launch and how.');

export type PlanInput = z.infer<typeof planSchema>;
