import { execFileSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { installFakeNvidiaSmi, makeTempDir, removeTempDir } from '@runboard/test-kit';
import type { NvidiaSmiScenario } from '@runboard/test-kit';
import { describe, expect, test } from 'vitest';
import { parseServerAnswer, serverQueryCommand } from './server-query.js';

describe('serverQueryCommand', () => {
  test('one shell command answers hostname, load, RAM, GPUs with processes and their parents', async () => {
    const dir = await makeTempDir('runboard-query-');
    try {
      const scenario = join(dir, 'scenario.json');
      await writeFile(
        scenario,
        JSON.stringify({
          gpus: [
            { utilizationPercent: 5, memoryUsedMiB: 100 },
            {
              utilizationPercent: 93,
              memoryUsedMiB: 70_000,
              processes: [{ pid: process.pid, usedMemoryMiB: 69_000 }],
            },
          ],
        } satisfies NvidiaSmiScenario),
      );
      const bin = dirname(await installFakeNvidiaSmi(join(dir, 'bin')));
      const env = {
        PATH: `${bin}:${dirname(process.execPath)}:/usr/bin:/bin`,
        FAKE_NVIDIA_SMI_SCENARIO: scenario,
      };
      // The command runs here as ssh would run it there: through a shell.
      const output = execFileSync('sh', ['-c', serverQueryCommand(env)], { encoding: 'utf8' });
      const answer = parseServerAnswer(output);
      expect(answer.hostname).not.toBe('');
      expect(answer.cores).toBeGreaterThan(0);
      expect(answer.loadAverage).toHaveLength(3);
      expect(answer.totalRamMiB).toBeGreaterThan(answer.availableRamMiB ?? Infinity);
      expect(answer.gpuUnavailableReason).toBeNull();
      expect(answer.gpus.map((gpu) => [gpu.index, gpu.utilizationPercent, gpu.processes])).toEqual([
        [0, 5, []],
        [1, 93, [{ pid: process.pid, usedMemoryMiB: 69_000 }]],
      ]);
      expect(answer.processes.get(process.pid)?.parentPid).toBe(process.ppid);
    } finally {
      await removeTempDir(dir);
    }
  });

  test('without nvidia-smi: no GPUs and the reason', () => {
    const output = execFileSync('sh', ['-c', serverQueryCommand({ PATH: '/usr/bin:/bin' })], {
      encoding: 'utf8',
    });
    const answer = parseServerAnswer(output);
    expect(answer.gpus).toEqual([]);
    expect(answer.gpuUnavailableReason).toBe('nvidia-smi not found on PATH');
  });
});
