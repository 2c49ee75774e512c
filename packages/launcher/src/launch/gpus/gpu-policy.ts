import type { GpuPolicy } from '../../plan/plan-schema.js';
import type { GpuInfo } from './parse-nvidia-smi.js';

/**
 * The GPUs of `candidates` that `policy` allows starting on: utilization below
 * `maxUtilizationPercent` and free memory above `minFreeMemoryMiB`. A GPU that `nvidia-smi`
 * does not list, or whose value it cannot tell (N/A), is not allowed.
 *
 * @example
 * allowedGpus([0, 1], gpus, { maxUtilizationPercent: 10, minFreeMemoryMiB: 20_000 }); // Set {1}
 */
export function allowedGpus(
  candidates: readonly number[],
  gpus: readonly GpuInfo[],
  policy: GpuPolicy,
): Set<number> {
  const byIndex = new Map(gpus.map((gpu) => [gpu.index, gpu]));
  const allowed = new Set<number>();
  for (const id of candidates) {
    const gpu = byIndex.get(id);
    if (gpu && gpuPasses(gpu, policy)) allowed.add(id);
  }
  return allowed;
}

/**
 * Whether one GPU passes the policy's thresholds.
 *
 * @example
 * gpuPasses(gpu, { maxUtilizationPercent: 10 }); // false while it is 10 % busy or more
 */
export function gpuPasses(gpu: GpuInfo, policy: GpuPolicy): boolean {
  if (policy.maxUtilizationPercent !== undefined) {
    if (gpu.utilizationPercent === null || gpu.utilizationPercent >= policy.maxUtilizationPercent)
      return false;
  }
  if (policy.minFreeMemoryMiB !== undefined) {
    const free =
      gpu.memoryFreeMiB ??
      (gpu.memoryTotalMiB !== null && gpu.memoryUsedMiB !== null
        ? gpu.memoryTotalMiB - gpu.memoryUsedMiB
        : null);
    if (free === null || free <= policy.minFreeMemoryMiB) return false;
  }
  return true;
}
