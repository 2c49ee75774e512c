import { writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import {
  H200_FIXTURES,
  installFakeNvidiaSmi,
  makeTempDir,
  removeTempDir,
} from '@runboard/test-kit';
import { describe, expect, test as base } from 'vitest';
import { queryGpus, readGpuStatus } from './nvidia-smi.js';

/** A folder with test-kit's fake `nvidia-smi` put first on PATH for each test. */
const test = base.extend<{ bin: string }>({
  bin: [
    // eslint-disable-next-line no-empty-pattern
    async ({}, use) => {
      const dir = await makeTempDir('runboard-fake-smi-');
      const bin = dirname(await installFakeNvidiaSmi(join(dir, 'bin')));
      const saved = { ...process.env };
      process.env.PATH = `${bin}:${process.env.PATH}`;
      try {
        await use(bin);
      } finally {
        process.env = saved;
        await removeTempDir(dir);
      }
    },
    { auto: true },
  ],
});

describe('queryGpus / readGpuStatus', () => {
  test('runs nvidia-smi from PATH and parses GPUs and their processes', async ({ bin }) => {
    process.env.FAKE_NVIDIA_SMI_GPUS = join(H200_FIXTURES, 'query-gpu.csv');
    const apps = join(bin, 'apps.csv');
    await writeFile(apps, 'GPU-2a311d9d-4e63-03d1-940a-9fa658b398ad, 4242, 20480\n');
    process.env.FAKE_NVIDIA_SMI_APPS = apps;
    const gpus = await queryGpus();
    expect(gpus).toHaveLength(1);
    expect(gpus[0]).toMatchObject({
      index: 0,
      name: 'NVIDIA H200',
      memoryFreeMiB: 143156,
      processes: [{ pid: 4242, usedMemoryMiB: 20480 }],
    });
  });

  test('a failing nvidia-smi (no driver) gives available: false with its message, and [] from queryGpus', async () => {
    process.env.FAKE_NVIDIA_SMI_FAIL = '1';
    const status = await readGpuStatus();
    expect(status).toMatchObject({ available: false, gpus: [] });
    expect(status.reason).toMatch(/nvidia-smi failed/);
    expect(await queryGpus()).toEqual([]);
  });

  test('an absent nvidia-smi gives [] and says so', async () => {
    const status = await readGpuStatus({ command: 'runboard-no-such-nvidia-smi' });
    expect(status).toMatchObject({
      available: false,
      gpus: [],
      reason: 'runboard-no-such-nvidia-smi not found on PATH',
    });
    expect(await queryGpus({ command: 'runboard-no-such-nvidia-smi' })).toEqual([]);
  });
});
