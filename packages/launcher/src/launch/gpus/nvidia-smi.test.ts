import { chmod, copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test as base } from 'vitest';
import { queryGpus, readGpuStatus } from './nvidia-smi.js';

const FAKE = fileURLToPath(
  new URL('../../../test/fixtures/launch/fake-nvidia-smi.mjs', import.meta.url),
);
const H200 = fileURLToPath(
  new URL('../../../test/fixtures/nvidia-smi-h200/query-gpu.csv', import.meta.url),
);

/** A folder with a fake `nvidia-smi` put first on PATH for each test. */
const test = base.extend<{ bin: string }>({
  bin: [
    // eslint-disable-next-line no-empty-pattern
    async ({}, use) => {
      const bin = await mkdtemp(join(tmpdir(), 'runboard-fake-smi-'));
      await copyFile(FAKE, join(bin, 'nvidia-smi'));
      await chmod(join(bin, 'nvidia-smi'), 0o755);
      const saved = { ...process.env };
      process.env.PATH = `${bin}:${process.env.PATH}`;
      try {
        await use(bin);
      } finally {
        process.env = saved;
        await rm(bin, { recursive: true, force: true });
      }
    },
    { auto: true },
  ],
});

describe('queryGpus / readGpuStatus', () => {
  test('runs nvidia-smi from PATH and parses GPUs and their processes', async ({ bin }) => {
    process.env.FAKE_NVIDIA_SMI_GPUS = H200;
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
