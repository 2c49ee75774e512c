import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, vi } from 'vitest';
import {
  describeOrSkip,
  FAKE_NVIDIA_SMI,
  installFakeNvidiaSmi,
  minimalRunRecord,
  readH200Fixture,
  testWithTempDir,
  writeNvidiaSmiScenario,
  writeTestRun,
} from './index.js';

const run = promisify(execFile);
const test = testWithTempDir('runboard-test-kit-');
const GPU_QUERY =
  '--query-gpu=index,uuid,name,memory.total,memory.used,memory.free,utilization.gpu';

test('the fake answers with the captured H200 under the scenario load', async ({ dir }) => {
  const scenario = await writeNvidiaSmiScenario(join(dir, 'scenario.json'), {
    gpus: [
      {
        utilizationPercent: 87,
        memoryUsedMiB: 40_000,
        processes: [{ pid: 7, usedMemoryMiB: 40_000 }],
      },
      { utilizationPercent: '[N/A]', memoryUsedMiB: 0 },
    ],
  });
  const env = { ...process.env, FAKE_NVIDIA_SMI_SCENARIO: scenario };
  const [name, total] = (await readH200Fixture('query-gpu.csv')).trim().split(', ').slice(2, 4);
  const gpus = await run(FAKE_NVIDIA_SMI, [GPU_QUERY, '--format=csv,noheader,nounits'], { env });
  const [fields, unmeasured] = gpus.stdout
    .trim()
    .split('\n')
    .map((line) => line.split(', '));
  expect(fields.slice(0, 5)).toEqual(['0', fields[1], name, total, '40000']);
  expect(fields[6]).toBe('87');
  expect(unmeasured[6]).toBe('[N/A]');
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

test('the installed fake answers like two idle H200s when told nothing', async ({ dir }) => {
  const bin = await installFakeNvidiaSmi(join(dir, 'bin'));
  const env = { PATH: process.env.PATH };
  const [, , name, total, used, free] = (await readH200Fixture('query-gpu.csv')).trim().split(', ');
  const { stdout } = await run(bin, [GPU_QUERY, '--format=csv,noheader,nounits'], { env });
  const lines = stdout.trim().split('\n');
  expect(lines).toHaveLength(2);
  for (const [index, line] of lines.entries()) {
    expect(line.split(', ')).toEqual([
      String(index),
      `GPU-00000000-0000-0000-0000-${String(index).padStart(12, '0')}`,
      name,
      total,
      '0',
      String(Number(free) + Number(used)),
      '0',
    ]);
  }
  expect((await run(bin, ['--query-compute-apps=gpu_uuid,pid,used_memory'], { env })).stdout).toBe(
    '',
  );
});

test('a test run is written whole as <root>/<id>/progress.json', async ({ dir }) => {
  const written = await writeTestRun(dir, 'sweep/a', { status: 'failed', exitCode: 3 });
  const file = join(dir, 'sweep', 'a', 'progress.json');
  expect(JSON.parse(await readFile(file, 'utf8'))).toEqual(written);
  expect(written).toMatchObject({ schemaVersion: 1, id: 'sweep/a', status: 'failed', exitCode: 3 });
  const now = Date.parse('2026-12-05T12:00:00.000Z');
  expect(await writeTestRun(dir, 'b', {}, now)).toMatchObject({
    startedAt: '2026-12-05T11:40:00.000Z',
    heartbeatAt: '2026-12-05T11:59:58.000Z',
  });
  expect((await stat(file)).isFile()).toBe(true);
});

test('a minimal run record has only the fields every record has', () => {
  const now = Date.parse('2026-12-05T12:00:00.000Z');
  expect(minimalRunRecord('a', { status: 'queued', attempt: 0 }, now)).toEqual({
    schemaVersion: 1,
    id: 'a',
    status: 'queued',
    attempt: 0,
    command: ['true'],
    updatedAt: '2026-12-05T12:00:00.000Z',
  });
});

describe('describeOrSkip', () => {
  const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
  const ran: string[] = [];
  describeOrSkip('the cluster is down', 'Cluster tests')('a suite that needs the cluster', () => {
    test('is skipped', () => void ran.push('skipped suite'));
  });
  describeOrSkip(undefined, 'Local tests')('a suite that needs nothing', () => {
    test('runs', () => void ran.push('suite'));
  });

  afterAll(() => {
    expect(ran).toEqual(['suite']);
    expect(warn.mock.calls).toEqual([['Cluster tests skipped: the cluster is down']]);
    warn.mockRestore();
  });
});

describe('testWithTempDir', () => {
  const seen: { dir: string; existedBeforeRemove: boolean }[] = [];
  const withSlowCleanup = testWithTempDir('runboard-test-kit-cleanup-', async (dir) => {
    await new Promise((resolve) => setTimeout(resolve, 20));
    seen.push({ dir, existedBeforeRemove: existsSync(dir) });
  });

  withSlowCleanup('gives each test a fresh folder', ({ dir }) => {
    expect(existsSync(dir)).toBe(true);
  });

  afterAll(() => {
    // The async beforeRemove was awaited: it saw the folder, and the folder is gone after it.
    expect(seen).toEqual([{ dir: expect.any(String), existedBeforeRemove: true }]);
    expect(existsSync(seen[0].dir)).toBe(false);
  });
});
