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
  return gpuPolicyFailure(gpu, policy) === undefined;
}

/**
 * Which threshold of the policy one GPU fails, in words; `undefined` when it passes.
 *
 * @example
 * gpuPolicyFailure(gpu, { maxUtilizationPercent: 50 }); // 'utilization 87% ≥ 50%'
 */
export function gpuPolicyFailure(gpu: GpuInfo, policy: GpuPolicy): string | undefined {
  const limit = policy.maxUtilizationPercent;
  if (limit !== undefined) {
    if (gpu.utilizationPercent === null) return 'utilization unknown (N/A)';
    if (gpu.utilizationPercent >= limit)
      return `utilization ${gpu.utilizationPercent}% ≥ ${limit}%`;
  }
  if (policy.minFreeMemoryMiB !== undefined) {
    const free =
      gpu.memoryFreeMiB ??
      (gpu.memoryTotalMiB !== null && gpu.memoryUsedMiB !== null
        ? gpu.memoryTotalMiB - gpu.memoryUsedMiB
        : null);
    if (free === null) return 'free memory unknown (N/A)';
    if (free <= policy.minFreeMemoryMiB)
      return `free memory ${free} MiB ≤ ${policy.minFreeMemoryMiB} MiB`;
  }
  return undefined;
}
