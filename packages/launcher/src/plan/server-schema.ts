import { z } from 'zod';

const gpuId = z.number().int().nonnegative();

/**
 * One machine of an SSH server pool (`servers` of a plan). What is left out (`user`, `port`,
 * `identityFile`, jump hosts, …) comes from the user's `~/.ssh/config`: runboard runs the
 * system `ssh` client.
 */
export const serverSchema = z
  .strictObject({
    name: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9._@-]*$/, 'expected letters, digits and ._@-')
      .optional()
      .describe('What records, status and the dashboard show (default: host).'),
    host: z
      .string()
      .min(1)
      .optional()
      .describe(
        'Host name or address for ssh, or an alias of ~/.ssh/config (default: name); "localhost" runs without SSH.',
      ),
    user: z.string().min(1).optional().describe('ssh -l (default: ~/.ssh/config, else yours).'),
    port: z.number().int().min(1).max(65535).optional().describe('ssh -p.'),
    identityFile: z.string().min(1).optional().describe('ssh -i, e.g. ~/.ssh/id_ed25519.'),
    gpus: z
      .array(gpuId)
      .optional()
      .describe('GPU device ids to hand out on this server (default none: CPU runs only).'),
    runboard: z
      .string()
      .min(1)
      .optional()
      .describe(
        "The runboard CLI on this server (default: the executor's runboard, else runboard on its PATH).",
      ),
    env: z
      .record(z.string(), z.string({ error: 'expected string' }))
      .optional()
      .describe("Environment variables for this server's runs (and its nvidia-smi)."),
    maxRuns: z
      .number()
      .int()
      .positive()
      .optional()
      .describe('Runs at once on this server (default: its GPU slots, else 1).'),
  })
  .refine((server) => server.name !== undefined || server.host !== undefined, {
    error: 'set name or host',
  });

export type ServerInput = z.infer<typeof serverSchema>;

/** `servers`: the pool of machines runs are spread over (replaces the top-level `gpus`). */
export const serversSchema = z
  .array(serverSchema)
  .min(1, 'must not be empty')
  .describe('Machines to run on over SSH, each with its own GPUs (replaces gpus).');
