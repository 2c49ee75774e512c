import { listOf, num, text, time, wire } from './api-types.js';
import type { ApiServerResources } from './api-types.js';
import { toGpu } from './gpus.js';
import type { Gpu } from './gpus.js';

/** One server of the SSH pool, normalised from the API's `servers` entry. */
export interface ServerResources {
  /** The plan's name of the server. */
  name: string;
  /** What `ssh` connects to. */
  host: string | null;
  /** The hostname it reports; `null` until it answered. */
  hostname: string | null;
  reachable: boolean;
  /** Its first answer is on its way. */
  pending: boolean;
  /** Why it is unreachable. */
  error: string | null;
  sampledAtMs: number | null;
  cpu: { cores: number | null; load1: number | null; percent: number | null };
  memory: { usedBytes: number | null; totalBytes: number | null };
  gpus: Gpu[];
  gpuUnavailableReason: string | null;
}

/**
 * One entry of the `servers` of `GET /api/resources`, normalised; `undefined` for an entry
 * without a name. Read the list with `listOf(raw, toServer)`.
 *
 * @example
 * toServer({ name: 'gpu-b', reachable: false, error: 'Connection refused', gpus: [] })?.reachable; // false
 */
export function toServer(raw: unknown): ServerResources | undefined {
  const server = wire<ApiServerResources>(raw);
  const name = text(server.name);
  if (name === null) return undefined;
  const cpu = wire<ApiServerResources['cpu']>(server.cpu);
  const ram = wire<ApiServerResources['ram']>(server.ram);
  const reachable = server.reachable === true;
  return {
    name,
    host: text(server.host),
    hostname: text(server.hostname),
    reachable,
    pending: server.pending === true,
    error: reachable ? null : text(server.error),
    sampledAtMs: time(server.sampledAt),
    cpu: {
      cores: num(cpu.cores),
      load1: Array.isArray(cpu.loadAverage) ? num(cpu.loadAverage[0]) : null,
      percent: num(cpu.loadPercent),
    },
    memory: { usedBytes: num(ram.usedBytes), totalBytes: num(ram.totalBytes) },
    gpus: listOf(server.gpus, toGpu),
    gpuUnavailableReason: text(server.gpuUnavailableReason),
  };
}
