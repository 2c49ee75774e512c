import { expect, test } from 'vitest';
import { toResources } from './resources.js';

const MIB = 1024 * 1024;

test('the dashboard API resources snapshot is read with MiB sizes converted to bytes', () => {
  const resources = toResources({
    hostname: 'gpu-box-1',
    sampledAt: '2026-01-01T00:00:00Z',
    cpu: { cores: 16, model: 'x', loadAverage: [4, 2, 1], utilizationPercent: 37.5 },
    memory: {
      totalBytes: 64 * 1024 * MIB,
      availableBytes: 48 * 1024 * MIB,
      usedBytes: 16 * 1024 * MIB,
      usedPercent: 25,
    },
    gpus: [
      {
        index: 1,
        uuid: 'GPU-1',
        name: 'NVIDIA H100 80GB HBM3',
        utilizationPercent: 93,
        memoryUsedMiB: 40_000,
        memoryTotalMiB: 81_559,
        temperatureC: 61,
        processes: [{ pid: 4242, name: 'python', usedMemoryMiB: 39_000, runId: 'cdd/run_2' }],
      },
    ],
    gpuError: null,
  });
  expect(resources).toEqual({
    host: 'gpu-box-1',
    cpu: { cores: 16, load1: 4, percent: 37.5 },
    memory: { usedBytes: 16 * 1024 * MIB, totalBytes: 64 * 1024 * MIB },
    gpus: [
      {
        index: 1,
        name: 'NVIDIA H100 80GB HBM3',
        utilizationPercent: 93,
        memoryUsedBytes: 40_000 * MIB,
        memoryTotalBytes: 81_559 * MIB,
        temperatureC: 61,
        processes: [{ pid: 4242, label: 'cdd/run_2 (4242) 38.1 GiB' }],
      },
    ],
    gpuError: null,
  });
});

test('without a CPU utilization sample the load per core stands in; junk gives empty fields', () => {
  expect(
    toResources({ cpu: { cores: 4, loadAverage: [2, 0, 0], utilizationPercent: null } }).cpu
      .percent,
  ).toBe(50);
  expect(toResources('junk')).toEqual({
    host: null,
    cpu: { cores: null, load1: null, percent: null },
    memory: { usedBytes: null, totalBytes: null },
    gpus: [],
    gpuError: null,
  });
});
