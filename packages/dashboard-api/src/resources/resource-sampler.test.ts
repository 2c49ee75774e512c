import { describe, expect } from 'vitest';
import { fakeGpuQuery, test } from '../../test/test-utils.js';
import { ResourceSampler } from './resource-sampler.js';

describe('ResourceSampler', () => {
  test('runs nvidia-smi and labels GPU processes with their runs, through parent processes', async ({
    nvidiaSmi,
  }) => {
    // The fake reports this process on GPU 0; the "run" is this process's parent.
    const sampler = new ResourceSampler({
      nvidiaSmiCommand: nvidiaSmi,
      runIdForPid: () => new Map([[process.ppid, 'sweep/run_1']]),
    });
    const snapshot = await sampler.sample();
    expect(snapshot.gpuUnavailableReason).toBeNull();
    expect(
      snapshot.gpus.map((gpu) => [gpu.index, gpu.utilizationPercent, gpu.memoryUsedMiB]),
    ).toEqual([
      [0, 87, 40536],
      [1, null, 0],
    ]);
    expect(snapshot.gpus[0].processes).toEqual([
      { pid: process.pid, name: expect.any(String), usedMemoryMiB: 40000, runId: 'sweep/run_1' },
      { pid: 777, name: null, usedMemoryMiB: 500, runId: null },
    ]);
    expect(snapshot.cpu.cores).toBeGreaterThan(0);
    expect(snapshot.memory.usedPercent).toBeGreaterThan(0);
  });

  test('a failing or missing nvidia-smi: no GPUs, the reason, and no new attempt for a while', async () => {
    const queryGpus = fakeGpuQuery();
    const sampler = new ResourceSampler({ cacheMs: 0, queryGpus });
    const first = await sampler.sample();
    await sampler.sample();
    expect(first.gpus).toEqual([]);
    expect(first.gpuUnavailableReason).toBe('nvidia-smi not found on PATH');
    expect(queryGpus.calls).toBe(1);
  });

  test('a driver error comes through as the reason', async ({ nvidiaSmi }) => {
    process.env.FAKE_NVIDIA_SMI_FAIL = '1';
    try {
      const snapshot = await new ResourceSampler({ nvidiaSmiCommand: nvidiaSmi }).sample();
      expect(snapshot.gpus).toEqual([]);
      expect(snapshot.gpuUnavailableReason).toMatch(/couldn't communicate with the NVIDIA driver/);
    } finally {
      delete process.env.FAKE_NVIDIA_SMI_FAIL;
    }
  });

  test('answers from its cache within cacheMs', async () => {
    const queryGpus = fakeGpuQuery({ available: true });
    const sampler = new ResourceSampler({ cacheMs: 60_000, queryGpus });
    const [a, b] = await Promise.all([sampler.sample(), sampler.sample()]);
    expect(a).toBe(b);
    expect(queryGpus.calls).toBe(1);
  });
});
