import { describe, expect, test } from 'vitest';
import { allowedGpus, gpuPasses } from './gpu-policy.js';
import { GpuSlots } from './gpu-slots.js';
import type { GpuInfo } from './parse-nvidia-smi.js';

describe('GpuSlots', () => {
  test('hands out free GPUs, least used first, and never more than runsPerGpu per GPU', () => {
    const slots = new GpuSlots([0, 1, 2], 2);
    expect(slots.allocate(1)).toEqual([0]);
    expect(slots.allocate(1)).toEqual([1]);
    expect(slots.allocate(2)).toEqual([0, 2]);
    expect(slots.allocate(3)).toBeUndefined();
    expect(slots.allocate(2)).toEqual([1, 2]);
    expect(slots.allocate(1)).toBeUndefined();
    expect([...slots.usage().values()]).toEqual([2, 2, 2]);
    slots.release([1, 2]);
    expect(slots.allocate(1, { pinned: [2] })).toEqual([2]);
    expect(slots.allocate(1, { pinned: [2] })).toBeUndefined();
  });

  test('runs found running take their GPUs even past capacity; ids outside the plan are ignored', () => {
    const slots = new GpuSlots([0, 1], 1);
    slots.take([0, 0, 7]);
    expect(slots.free(0)).toBe(0);
    slots.release([0]);
    expect(slots.free(0)).toBe(0);
    expect(slots.allocate(1)).toEqual([1]);
    expect(slots.allocate(0)).toEqual([]);
  });

  test('allowed limits the choice (GPU policy)', () => {
    const slots = new GpuSlots([0, 1], 1);
    expect(slots.allocate(1, { allowed: new Set([1]) })).toEqual([1]);
    expect(slots.allocate(1, { allowed: new Set([1]) })).toBeUndefined();
  });

  test('runsPerGpu is checked', () => {
    expect(() => new GpuSlots([0], 0)).toThrow(TypeError);
  });
});

const gpu = (
  index: number,
  utilizationPercent: number | null,
  memoryFreeMiB: number | null,
): GpuInfo => ({
  index,
  uuid: `GPU-${index}`,
  name: 'H200',
  memoryTotalMiB: 143771,
  memoryUsedMiB: memoryFreeMiB === null ? null : 143771 - memoryFreeMiB,
  memoryFreeMiB,
  utilizationPercent,
  processes: [],
});

describe('GPU policy', () => {
  test('utilization below and free memory above the thresholds', () => {
    const gpus = [gpu(0, 0, 143_000), gpu(1, 95, 143_000), gpu(2, 0, 1_000), gpu(3, null, 143_000)];
    expect(
      allowedGpus([0, 1, 2, 3, 4], gpus, { maxUtilizationPercent: 10, minFreeMemoryMiB: 20_000 }),
    ).toEqual(new Set([0]));
    expect(allowedGpus([0, 1, 2, 3], gpus, { minFreeMemoryMiB: 20_000 })).toEqual(
      new Set([0, 1, 3]),
    );
    expect(allowedGpus([0, 1, 2, 3], gpus, { maxUtilizationPercent: 10 })).toEqual(new Set([0, 2]));
  });

  test('free memory falls back to total - used; unknown memory does not pass', () => {
    expect(
      gpuPasses({ ...gpu(0, 0, 50_000), memoryFreeMiB: null }, { minFreeMemoryMiB: 20_000 }),
    ).toBe(true);
    expect(gpuPasses(gpu(0, 0, null), { minFreeMemoryMiB: 20_000 })).toBe(false);
  });
});
