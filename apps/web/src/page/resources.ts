import { num, text, time, wire } from './api-types.js';
import type { ApiGpu, ApiGpuProcess, ApiResources } from './api-types.js';

export interface GpuProcess {
  pid: number;
  /** The command name (`python`), `null` when the server cannot tell. */
  name: string | null;
  usedMemoryBytes: number | null;
  /** The run whose job this process is (or descends from), `null` when it is none of ours. */
  runId: string | null;
}

export interface Gpu {
  index: number;
  name: string | null;
  uuid: string | null;
  utilizationPercent: number | null;
  memoryUsedBytes: number | null;
  memoryTotalBytes: number | null;
  processes: GpuProcess[];
}

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
}

const MIB = 1024 * 1024;

/**
 * Normalises the body of `GET /api/resources` (`ResourcesSnapshot`). nvidia-smi's sizes come
 * in MiB and are turned into bytes, like the machine's memory.
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
  const gpus = Array.isArray(root.gpus) ? root.gpus : [];
  return {
    host: text(root.hostname),
    sampledAtMs: time(root.sampledAt),
    cpu: { cores, model: text(cpu.model), load1, percent },
    memory: { usedBytes: num(memory.usedBytes), totalBytes: num(memory.totalBytes) },
    gpus: gpus.flatMap((gpu) => toGpu(gpu) ?? []),
    gpuUnavailableReason: text(root.gpuUnavailableReason),
  };
}

function toGpu(raw: unknown): Gpu | undefined {
  const gpu = wire<ApiGpu>(raw);
  const index = num(gpu.index);
  if (index === null) return undefined;
  const processes = Array.isArray(gpu.processes) ? gpu.processes : [];
  return {
    index,
    name: text(gpu.name),
    uuid: text(gpu.uuid),
    utilizationPercent: num(gpu.utilizationPercent),
    memoryUsedBytes: mib(gpu.memoryUsedMiB),
    memoryTotalBytes: mib(gpu.memoryTotalMiB),
    processes: processes.flatMap((process) => toProcess(process) ?? []),
  };
}

function toProcess(raw: unknown): GpuProcess | undefined {
  const process = wire<ApiGpuProcess>(raw);
  const pid = num(process.pid);
  if (pid === null) return undefined;
  return {
    pid,
    name: text(process.name),
    usedMemoryBytes: mib(process.usedMemoryMiB),
    runId: text(process.runId),
  };
}

function mib(value: unknown): number | null {
  const inMiB = num(value);
  return inMiB === null ? null : inMiB * MIB;
}
