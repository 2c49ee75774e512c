import { expect, test } from 'vitest';
import { toResources } from './resources.js';

const MIB = 1024 * 1024;

test('a resources snapshot of the dashboard API is read, nvidia-smi MiB turned into bytes', () => {
  const resources = toResources({
    hostname: 'gpu-box-1',
    sampledAt: '2026-01-01T00:00:00Z',
    cpu: { cores: 16, model: 'AMD EPYC 9654', loadAverage: [4, 2, 1], utilizationPercent: 37.5 },
    memory: {
      totalBytes: 64 * 1024 * MIB,
      availableBytes: 48 * 1024 * MIB,
      usedBytes: 16 * 1024 * MIB,
      usedPercent: 25,
    },
    gpus: [
      {
        index: 1,
        uuid: 'GPU-2a311d9d-4e63-03d1-940a-9fa658b398ad',
        name: 'NVIDIA H200',
        memoryTotalMiB: 143_771,
        memoryUsedMiB: 40_000,
        memoryFreeMiB: 103_771,
        utilizationPercent: 93,
        processes: [
          { pid: 4242, name: 'python', usedMemoryMiB: 39_000, runId: 'cdd/run_2' },
          { pid: 777, name: null, usedMemoryMiB: null, runId: null },
        ],
      },
    ],
    gpuUnavailableReason: null,
  });
  expect(resources).toEqual({
    host: 'gpu-box-1',
    sampledAtMs: Date.parse('2026-01-01T00:00:00Z'),
    cpu: { cores: 16, model: 'AMD EPYC 9654', load1: 4, percent: 37.5 },
    memory: { usedBytes: 16 * 1024 * MIB, totalBytes: 64 * 1024 * MIB },
    gpus: [
      {
        index: 1,
        name: 'NVIDIA H200',
        uuid: 'GPU-2a311d9d-4e63-03d1-940a-9fa658b398ad',
        utilizationPercent: 93,
        memoryUsedBytes: 40_000 * MIB,
        memoryTotalBytes: 143_771 * MIB,
        processes: [
          { pid: 4242, name: 'python', usedMemoryBytes: 39_000 * MIB, runId: 'cdd/run_2' },
          { pid: 777, name: null, usedMemoryBytes: null, runId: null },
        ],
      },
    ],
    gpuUnavailableReason: null,
    servers: [],
    serversError: null,
  });
});

test('without nvidia-smi the GPU list is empty and the reason is kept', () => {
  const resources = toResources({
    hostname: 'laptop',
    cpu: { cores: 8, loadAverage: [1, 1, 1], utilizationPercent: 10 },
    gpus: [],
    gpuUnavailableReason: 'nvidia-smi not found on PATH',
  });
  expect(resources.gpus).toEqual([]);
  expect(resources.gpuUnavailableReason).toBe('nvidia-smi not found on PATH');
});

test('without a CPU utilization sample the load per core stands in; junk gives empty fields', () => {
  expect(
    toResources({ cpu: { cores: 4, loadAverage: [2, 0, 0], utilizationPercent: null } }).cpu
      .percent,
  ).toBe(50);
  expect(toResources('junk')).toEqual({
    host: null,
    sampledAtMs: null,
    cpu: { cores: null, model: null, load1: null, percent: null },
    memory: { usedBytes: null, totalBytes: null },
    gpus: [],
    gpuUnavailableReason: null,
    servers: [],
    serversError: null,
  });
  // A GPU or process without its index or pid is dropped, not shown as GPU 0.
  expect(
    toResources({ gpus: [{ name: 'x' }, { index: 0, processes: [{ name: 'y' }] }] }).gpus,
  ).toEqual([
    {
      index: 0,
      name: null,
      uuid: null,
      utilizationPercent: null,
      memoryUsedBytes: null,
      memoryTotalBytes: null,
      processes: [],
    },
  ]);
});

test("the pool's servers are read, GPUs in bytes; an unreachable one keeps its reason", () => {
  const { servers, serversError } = toResources({
    servers: [
      {
        name: 'gpu-a',
        host: '10.0.0.5',
        hostname: 'gpu-a',
        reachable: true,
        pending: false,
        sampledAt: '2026-01-01T00:00:00Z',
        cpu: { cores: 64, loadAverage: [16, 8, 4], loadPercent: 25 },
        ram: {
          totalBytes: 512 * MIB,
          availableBytes: 256 * MIB,
          usedBytes: 256 * MIB,
          usedPercent: 50,
        },
        gpus: [
          {
            index: 0,
            uuid: 'GPU-0',
            name: 'NVIDIA H200',
            memoryTotalMiB: 143_771,
            memoryUsedMiB: 1000,
            memoryFreeMiB: 142_771,
            utilizationPercent: 12,
            processes: [{ pid: 42, name: 'python', usedMemoryMiB: 900, runId: 'a/run' }],
          },
        ],
        gpuUnavailableReason: null,
        planGpus: [0],
      },
      { name: 'gpu-x', reachable: false, pending: false, error: 'Connection refused', gpus: [] },
      { reachable: true },
    ],
    serversError: null,
  });
  expect(serversError).toBeNull();
  expect(servers).toEqual([
    {
      name: 'gpu-a',
      host: '10.0.0.5',
      hostname: 'gpu-a',
      reachable: true,
      pending: false,
      error: null,
      sampledAtMs: Date.parse('2026-01-01T00:00:00Z'),
      cpu: { cores: 64, load1: 16, percent: 25 },
      memory: { usedBytes: 256 * MIB, totalBytes: 512 * MIB },
      gpus: [
        {
          index: 0,
          name: 'NVIDIA H200',
          uuid: 'GPU-0',
          utilizationPercent: 12,
          memoryUsedBytes: 1000 * MIB,
          memoryTotalBytes: 143_771 * MIB,
          processes: [{ pid: 42, name: 'python', usedMemoryBytes: 900 * MIB, runId: 'a/run' }],
        },
      ],
      gpuUnavailableReason: null,
    },
    {
      name: 'gpu-x',
      host: null,
      hostname: null,
      reachable: false,
      pending: false,
      error: 'Connection refused',
      sampledAtMs: null,
      cpu: { cores: null, load1: null, percent: null },
      memory: { usedBytes: null, totalBytes: null },
      gpus: [],
      gpuUnavailableReason: null,
    },
  ]);
});
