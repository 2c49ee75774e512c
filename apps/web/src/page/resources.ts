import { listOf, num, text, time, wire } from './api-types.js';
import type { ApiResources } from './api-types.js';
import { toGpu } from './gpus.js';
import type { Gpu } from './gpus.js';
import { toServer } from './server-resources.js';
import type { ServerResources } from './server-resources.js';

export type { Gpu, GpuProcess } from './gpus.js';
export type { ServerResources } from './server-resources.js';

/** The body of `GET /api/resources`, normalised. */
export interface Resources {
  host: string | null;
  sampledAtMs: number | null;
  cpu: { cores: number | null; model: string | null; load1: number | null; percent: number | null };
  memory: { usedBytes: number | null; totalBytes: number | null };
  gpus: Gpu[];
  /**
   * Why there is no GPU list (e.g. `nvidia-smi not found on PATH`), as the server says;
   * `null` when `nvidia-smi` answered.
   */
  gpuUnavailableReason: string | null;
  /** The servers of the root's SSH pool; empty without one. */
  servers: ServerResources[];
  /** Why the pool's `servers.json` could not be read. */
  serversError: string | null;
}

/**
 * Normalises the body of `GET /api/resources` (`ResourcesSnapshot`): this machine, and each
 * server of the pool. nvidia-smi's sizes come in MiB and are turned into bytes, like memory.
 *
 * @example
 * toResources({ hostname: 'gpu-box-1', cpu: { cores: 8, loadAverage: [2, 1, 1] }, gpus: [], gpuUnavailableReason: 'nvidia-smi not found on PATH' });
 */
export function toResources(body: unknown): Resources {
  const root = wire<ApiResources>(body);
  const cpu = wire<ApiResources['cpu']>(root.cpu);
  const memory = wire<ApiResources['memory']>(root.memory);
  const cores = num(cpu.cores);
  const load1 = Array.isArray(cpu.loadAverage) ? num(cpu.loadAverage[0]) : null;
  let percent = num(cpu.utilizationPercent);
  // The first sample has no utilization yet (it is measured between two samples).
  if (percent === null && load1 !== null && cores) percent = Math.min(100, (load1 / cores) * 100);
  return {
    host: text(root.hostname),
    sampledAtMs: time(root.sampledAt),
    cpu: { cores, model: text(cpu.model), load1, percent },
    memory: { usedBytes: num(memory.usedBytes), totalBytes: num(memory.totalBytes) },
    gpus: listOf(root.gpus, toGpu),
    gpuUnavailableReason: text(root.gpuUnavailableReason),
    servers: listOf(root.servers, toServer),
    serversError: text(root.serversError),
  };
}
