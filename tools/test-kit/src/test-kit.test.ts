import { execFile } from 'node:child_process';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'vitest';
import {
  FAKE_NVIDIA_SMI,
  installFakeNvidiaSmi,
  readH200Fixture,
  testWithTempDir,
  writeTestRun,
} from './index.js';

const run = promisify(execFile);
const test = testWithTempDir('runboard-test-kit-');
const GPU_QUERY =
  '--query-gpu=index,uuid,name,memory.total,memory.used,memory.free,utilization.gpu';

test('the fake answers with the captured H200 under the scenario load', async ({ dir }) => {
  const scenario = join(dir, 'scenario.json');
  await writeFile(
    scenario,
    JSON.stringify({
      gpus: [
        {
          utilizationPercent: 87,
          memoryUsedMiB: 40_000,
          processes: [{ pid: 7, usedMemoryMiB: 40_000 }],
        },
      ],
    }),
  );
  const env = { ...process.env, FAKE_NVIDIA_SMI_SCENARIO: scenario };
  const [name, total] = (await readH200Fixture('query-gpu.csv')).trim().split(', ').slice(2, 4);
  const gpus = await run(FAKE_NVIDIA_SMI, [GPU_QUERY, '--format=csv,noheader,nounits'], { env });
  const fields = gpus.stdout.trim().split(', ');
  expect(fields.slice(0, 5)).toEqual(['0', fields[1], name, total, '40000']);
  expect(fields[6]).toBe('87');
  const apps = await run(FAKE_NVIDIA_SMI, ['--query-compute-apps=gpu_uuid,pid,used_memory'], {
    env,
  });
  expect(apps.stdout).toBe(`${fields[1]}, 7, 40000\n`);
});

test('the fake answers from files, logs its calls and fails like a missing driver', async ({
  dir,
}) => {
  const bin = await installFakeNvidiaSmi(join(dir, 'bin'));
  const gpus = join(dir, 'gpus.csv');
  const calls = join(dir, 'calls.log');
  await writeFile(gpus, '0, GPU-x, Test GPU, 100, 1, 99, 5\n');
  const env = { ...process.env, FAKE_NVIDIA_SMI_GPUS: gpus, FAKE_NVIDIA_SMI_CALLS: calls };
  expect((await run(bin, [GPU_QUERY], { env })).stdout).toBe('0, GPU-x, Test GPU, 100, 1, 99, 5\n');
  expect(await readFile(calls, 'utf8')).toBe(`${GPU_QUERY}\n`);
  await expect(
    run(bin, [GPU_QUERY], { env: { ...env, FAKE_NVIDIA_SMI_FAIL: '1' } }),
  ).rejects.toMatchObject({
    code: 9,
    stderr: expect.stringContaining('NVIDIA-SMI has failed'),
  });
});

test('a test run is written whole as <root>/<id>/progress.json', async ({ dir }) => {
  const written = await writeTestRun(dir, 'sweep/a', { status: 'failed', exitCode: 3 });
  const file = join(dir, 'sweep', 'a', 'progress.json');
  expect(JSON.parse(await readFile(file, 'utf8'))).toEqual(written);
  expect(written).toMatchObject({ schemaVersion: 1, id: 'sweep/a', status: 'failed', exitCode: 3 });
  expect((await stat(file)).isFile()).toBe(true);
});
