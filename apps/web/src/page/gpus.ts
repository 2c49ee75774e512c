import { listOf, num, text, wire } from './api-types.js';
import type { ApiGpu, ApiGpuProcess } from './api-types.js';

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

const MIB = 1024 * 1024;

/**
 * One GPU of a resources answer (this machine's, or a server's), normalised: nvidia-smi's
 * sizes come in MiB and are turned into bytes. `undefined` for a GPU without its index; a
 * process without its pid is dropped. Read a list with `listOf(raw, toGpu)`.
 *
 * @example
 * toGpu({ index: 0, name: 'NVIDIA H200', memoryUsedMiB: 1024, processes: [] })?.memoryUsedBytes; // 1073741824
 */
export function toGpu(raw: unknown): Gpu | undefined {
  const gpu = wire<ApiGpu>(raw);
  const index = num(gpu.index);
  if (index === null) return undefined;
  return {
    index,
    name: text(gpu.name),
    uuid: text(gpu.uuid),
    utilizationPercent: num(gpu.utilizationPercent),
    memoryUsedBytes: mib(gpu.memoryUsedMiB),
    memoryTotalBytes: mib(gpu.memoryTotalMiB),
    processes: listOf(gpu.processes, toProcess),
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
