import { join } from 'node:path';
import { readJson, writeJson } from '@runboard/json-io';
import { z } from 'zod';
import type { ResolvedServer } from '../../../plan/resolve-servers.js';

/**
 * Where a launch with `servers` records its pool, relative to the run root (a dot-folder the
 * run index never scans): the dashboard reads it to sample each server, with no flags.
 */
export const SERVER_POOL_FILE = join('.runboard', 'servers.json');

const serverPoolEntrySchema = z.object({
  name: z.string().min(1),
  host: z.string().min(1),
  /** `host` is localhost: the dashboard's own machine, if it runs where the launcher does. */
  local: z.boolean().default(false),
  user: z.string().min(1).optional(),
  port: z.number().int().min(1).max(65_535).optional(),
  identityFile: z.string().min(1).optional(),
  gpus: z.array(z.number().int().nonnegative()).default([]),
  env: z.record(z.string(), z.string()).default({}),
});

const serverPoolSchema = z.object({
  schemaVersion: z.literal(1),
  /** When the launch that wrote it started (ISO-8601). */
  writtenAt: z.string(),
  servers: z.array(serverPoolEntrySchema),
});

/** One server as `servers.json` lists it: how to reach it, nothing secret (no keys, no runboard). */
export type ServerPoolEntry = z.output<typeof serverPoolEntrySchema>;

/** `<root>/.runboard/servers.json`. */
export type ServerPool = z.output<typeof serverPoolSchema>;

/**
 * Writes the plan's servers to `<root>/.runboard/servers.json`, atomically (readers never see a
 * half-written file): name, host, user, port, identity file path, GPU ids and `env` (which can
 * name the server's `nvidia-smi` on its `PATH`). The last launch to start on a root wins.
 *
 * @example
 * await writeServerPool(plan.root, plan.servers);
 */
export async function writeServerPool(
  root: string,
  servers: readonly ResolvedServer[],
  now: number = Date.now(),
): Promise<void> {
  const pool: ServerPool = {
    schemaVersion: 1,
    writtenAt: new Date(now).toISOString(),
    servers: servers.map((server) => ({
      name: server.name,
      host: server.host,
      local: server.local,
      ...(server.user === undefined ? {} : { user: server.user }),
      ...(server.port === undefined ? {} : { port: server.port }),
      ...(server.identityFile === undefined ? {} : { identityFile: server.identityFile }),
      gpus: [...server.gpus],
      env: { ...server.env },
    })),
  };
  await writeJson(join(root, SERVER_POOL_FILE), pool, { durable: false });
}

/**
 * Reads `<root>/.runboard/servers.json`; `undefined` when no launch with servers wrote one.
 *
 * @throws {JsonValidationError} when it is not a server pool (`@runboard/json-io`'s typed errors
 *   for unreadable or unparsable files).
 * @example
 * const pool = await readServerPool('/shared/logs');
 * pool?.servers.map((server) => server.name); // ['gpu-a', 'gpu-b']
 */
export async function readServerPool(root: string): Promise<ServerPool | undefined> {
  return readJson<ServerPool | undefined>(join(root, SERVER_POOL_FILE), {
    default: undefined,
    validate: serverPoolSchema,
  });
}

/**
 * A pool entry as the `ResolvedServer` that `SshConnection` takes.
 *
 * @example
 * new SshConnection(toResolvedServer(pool.servers[0]), { controlDir });
 */
export function toResolvedServer(entry: ServerPoolEntry): ResolvedServer {
  const server: ResolvedServer = {
    name: entry.name,
    host: entry.host,
    local: entry.local,
    gpus: [...entry.gpus],
    env: { ...entry.env },
    maxRuns: Math.max(1, entry.gpus.length),
  };
  if (entry.user !== undefined) server.user = entry.user;
  if (entry.port !== undefined) server.port = entry.port;
  if (entry.identityFile !== undefined) server.identityFile = entry.identityFile;
  return server;
}
