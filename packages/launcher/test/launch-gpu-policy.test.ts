import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { installFakeNvidiaSmi } from '@runboard/test-kit';
import { describe, expect } from 'vitest';
import { GpuPolicyUnavailableError } from '../src/index.js';
import {
  markJob,
  peakJobsPerGpu,
  readMarks,
  readRecords,
  runPlan,
  test,
} from './launch-helpers.js';

const gpuLine = (index: number, utilization: number, freeMiB: number) =>
  `${index}, GPU-${index}, NVIDIA H200, 143771, ${143771 - freeMiB}, ${freeMiB}, ${utilization}\n`;

/** Puts the fake nvidia-smi first on PATH; its answer is the file returned, which the test rewrites. */
async function fakeNvidiaSmi(dir: string): Promise<{ gpus: string; calls: string }> {
  const bin = dirname(await installFakeNvidiaSmi(join(dir, 'bin')));
  const gpus = join(dir, 'gpus.csv');
  const calls = join(dir, 'calls.log');
  Object.assign(process.env, {
    PATH: `${bin}:${process.env.PATH}`,
    FAKE_NVIDIA_SMI_GPUS: gpus,
    FAKE_NVIDIA_SMI_CALLS: calls,
  });
  return { gpus, calls };
}

const savedEnv = { ...process.env };

describe('gpuPolicy with nvidia-smi', () => {
  test('starts only on GPUs below the utilization and above the free-memory thresholds', async ({
    dir,
  }) => {
    try {
      const smi = await fakeNvidiaSmi(dir);
      await writeFile(smi.gpus, gpuLine(0, 95, 140_000) + gpuLine(1, 0, 140_000));
      const { result } = await runPlan(dir, {
        gpus: [0, 1],
        gpuPolicy: {
          maxUtilizationPercent: 10,
          minFreeMemoryMiB: 20_000,
          checkIntervalSeconds: 0.2,
        },
        runs: ['a', 'b', 'c'].map((id) => ({ id, command: markJob(100) })),
      });
      expect(result.exitCode).toBe(0);
      const marks = readMarks(join(dir, 'marks.log'));
      expect(new Set(marks.map((mark) => mark.gpus))).toEqual(new Set(['1']));
      expect(peakJobsPerGpu(marks).get('1')).toBe(1);
    } finally {
      process.env = { ...savedEnv };
    }
  });

  test('waits while no GPU passes, and starts once one frees up', async ({ dir }) => {
    try {
      const smi = await fakeNvidiaSmi(dir);
      await writeFile(smi.gpus, gpuLine(0, 0, 1_000) + gpuLine(1, 99, 140_000));
      const launching = runPlan(dir, {
        gpus: [0, 1],
        gpuPolicy: {
          maxUtilizationPercent: 50,
          minFreeMemoryMiB: 20_000,
          checkIntervalSeconds: 0.2,
        },
        runs: [{ id: 'a', command: markJob(50) }],
      });
      await sleep(1500);
      expect(readMarks(join(dir, 'marks.log'))).toEqual([]);
      // The queued run says which check each GPU fails.
      await expect
        .poll(() => readRecords(join(dir, 'logs')).get('a'), { timeout: 15_000 })
        .toMatchObject({
          status: 'queued',
          waiting: {
            reason: 'gpu-policy',
            detail: 'GPU 0: free memory 1000 MiB ≤ 20000 MiB; GPU 1: utilization 99% ≥ 50%',
          },
        });
      expect(readMarks(join(dir, 'marks.log'))).toEqual([]);
      const freedAt = Date.now();
      await writeFile(smi.gpus, gpuLine(0, 0, 1_000) + gpuLine(1, 3, 140_000));
      expect((await launching).result.exitCode).toBe(0);
      const [start] = readMarks(join(dir, 'marks.log'));
      expect(start).toMatchObject({ kind: 'start', gpus: '1' });
      expect(start.time).toBeGreaterThanOrEqual(freedAt);
    } finally {
      process.env = { ...savedEnv };
    }
  });

  test('a plan with gpuPolicy refuses to start when nvidia-smi fails, before writing anything', async ({
    dir,
  }) => {
    try {
      await fakeNvidiaSmi(dir);
      process.env.FAKE_NVIDIA_SMI_FAIL = '1';
      const error = await runPlan(dir, {
        gpus: [0, 1],
        gpuPolicy: { maxUtilizationPercent: 10 },
        runs: [{ id: 'a', command: markJob(50) }],
      }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(GpuPolicyUnavailableError);
      expect(error).toMatchObject({ code: 'RUNBOARD_GPU_POLICY_UNAVAILABLE' });
      expect(existsSync(join(dir, 'logs'))).toBe(false);
    } finally {
      process.env = { ...savedEnv };
    }
  });
});
