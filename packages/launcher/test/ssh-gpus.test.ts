import { writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { describeOrSkip, installFakeNvidiaSmi, type NvidiaSmiScenario } from '@runboard/test-kit';
import { expect } from 'vitest';
import { launch, loadPlan, type LaunchEvent } from '../src/index.js';
import {
  entryBundles,
  execCommand,
  markJob,
  overlappingRuns,
  readMarks,
  readRecords,
  type Mark,
} from './launch-helpers.js';
import {
  HOSTS,
  runSshPlan,
  server,
  sshExecutor,
  sshSkipReason,
  sshTest as test,
  startSshLauncher,
  writeSshPlan,
} from './ssh-helpers.js';

const describeOnHosts = describeOrSkip(sshSkipReason(), 'SSH tests');

/**
 * A server's `env` whose fake `nvidia-smi` shows GPUs 0 and 1, those in `busy` at 95 % with
 * 140 GB used, the others idle.
 */
async function busyGpus(dir: string, name: string, busy: number[]) {
  const file = join(dir, `${name}.json`);
  const gpus = [0, 1].map((id) => ({
    utilizationPercent: busy.includes(id) ? 95 : 0,
    memoryUsedMiB: busy.includes(id) ? 140_000 : 0,
  }));
  await writeFile(file, JSON.stringify({ gpus } satisfies NvidiaSmiScenario));
  const bin = dirname(await installFakeNvidiaSmi(join(dir, `bin-${name}`)));
  return {
    PATH: `${bin}:${dirname(process.execPath)}:/usr/bin:/bin`,
    FAKE_NVIDIA_SMI_SCENARIO: file,
    FAKE_NVIDIA_SMI_CALLS: join(dir, `calls-${name}.log`),
  };
}

/** The most jobs on each `server:gpu` at once, replaying the mark log. */
function peakPerServerGpu(marks: readonly Mark[], serverOf: (runId: string) => string | undefined) {
  const current = new Map<string, number>();
  const peak = new Map<string, number>();
  for (const mark of marks)
    for (const gpu of mark.gpus === '-' || mark.gpus === '' ? [] : mark.gpus.split(',')) {
      const key = `${serverOf(mark.runId) ?? '?'}:${gpu}`;
      const value = (current.get(key) ?? 0) + (mark.kind === 'start' ? 1 : -1);
      current.set(key, value);
      peak.set(key, Math.max(peak.get(key) ?? 0, value));
    }
  return peak;
}

/** Servers gpu-a and gpu-b with two GPUs each. */
async function gpuServers(dir: string, fields: Record<string, unknown> = {}) {
  return Promise.all(HOSTS.map((host) => server(dir, host, { gpus: [0, 1], ...fields })));
}

describeOnHosts('GPU slots per server', { timeout: 120_000 }, () => {
  test('each server hands out its own GPUs, never two runs on one, pinned runs where pinned', async ({
    dir,
  }) => {
    const { result, marks, records } = await runSshPlan(dir, {
      servers: await gpuServers(dir),
      sweeps: [
        {
          id: 'gpu/run_{seed}',
          command: markJob(600, '--wait-for-starts', '4'),
          matrix: { seed: [1, 2, 3, 4, 5, 6] },
        },
      ],
      runs: [{ id: 'pinned', command: markJob(100), servers: ['gpu-b'], gpus: [1] }],
    });
    expect(result.exitCode).toBe(0);
    expect(records.size).toBe(7);
    for (const [id, record] of records) {
      expect(record.status).toBe('succeeded');
      expect(record.gpus).toHaveLength(1);
      const started = marks.find((mark) => mark.runId === id && mark.kind === 'start');
      expect(started?.gpus).toBe(String(record.gpus![0]));
    }
    expect(records.get('pinned')).toMatchObject({ server: 'gpu-b', host: 'gpu-b', gpus: [1] });
    expect(overlappingRuns(marks)).toEqual([]);
    const peak = peakPerServerGpu(marks, (id) => records.get(id)?.server ?? undefined);
    // Four GPUs in all and four jobs that wait for each other: every GPU had exactly one.
    expect(Object.fromEntries(peak)).toEqual({
      'gpu-a:0': 1,
      'gpu-a:1': 1,
      'gpu-b:0': 1,
      'gpu-b:1': 1,
    });
  });

  test('two launchers on one root never put two runs on one server GPU', async ({ dir }) => {
    const file = await writeSshPlan(dir, {
      servers: await Promise.all(HOSTS.map((host) => server(dir, host, { gpus: [0] }))),
      sweeps: [
        { id: 'two/run_{seed}', command: markJob(700), matrix: { seed: [1, 2, 3, 4, 5, 6] } },
      ],
    });
    // Two launcher processes, as two users' `runboard launch` would be.
    const launchers = await Promise.all([startSshLauncher(file), startSshLauncher(file)]);
    const exits = await Promise.all(launchers.map((launcher) => launcher.exited));
    expect(exits, launchers.map((launcher) => launcher.stderr()).join('\n')).toEqual([
      { code: 0, signal: null },
      { code: 0, signal: null },
    ]);
    const marks = readMarks(join(dir, 'marks.log'));
    const records = readRecords(join(dir, 'logs'));
    expect(marks.filter((mark) => mark.kind === 'start')).toHaveLength(6);
    const peak = peakPerServerGpu(marks, (id) => records.get(id)?.server ?? undefined);
    expect(Object.fromEntries(peak)).toEqual({ 'gpu-a:0': 1, 'gpu-b:0': 1 });
  });

  test('the gpuPolicy is judged per server from its own nvidia-smi, load and RAM', async ({
    dir,
  }) => {
    const servers = [
      await server(dir, 'gpu-a', { gpus: [0, 1], env: await busyGpus(dir, 'gpu-a', [0, 1]) }),
      await server(dir, 'gpu-b', { gpus: [0, 1], env: await busyGpus(dir, 'gpu-b', [0]) }),
    ];
    const { result, records, events } = await runSshPlan(dir, {
      servers,
      gpuPolicy: { maxUtilizationPercent: 50, minFreeMemoryMiB: 12_288 },
      runs: [1, 2, 3].map((index) => ({ id: `policy/run_${index}`, command: markJob(100) })),
    });
    expect(result.exitCode).toBe(0);
    for (const record of records.values())
      expect(record).toMatchObject({ server: 'gpu-b', gpus: [1] });
    expect(events.filter((event: LaunchEvent) => event.type === 'warning')).toEqual([]);

    // RAM below the policy's minimum on every server: nothing starts, and the run says why.
    const file = await writeSshPlan(dir, {
      servers,
      root: 'logs-ram',
      gpuPolicy: { minFreeRamMiB: 1e9 },
      runs: [{ id: 'ram/run', command: markJob(100) }],
    });
    const executor = await sshExecutor(file);
    const controller = new AbortController();
    const launched = launch({ plan: await loadPlan(file), executor, signal: controller.signal });
    await expect
      .poll(() => readRecords(join(dir, 'logs-ram')).get('ram/run')?.waiting, { timeout: 30_000 })
      .toMatchObject({
        reason: 'gpu-policy',
        detail: expect.stringMatching(/^gpu-a: free RAM \d+ MiB ≤ 1000000000 MiB; gpu-b: free RAM/),
      });
    controller.abort(new Error('test over'));
    expect((await launched).completed).toBe(false);
    await executor.shutdown();
    expect(readRecords(join(dir, 'logs-ram')).get('ram/run')?.status).toBe('queued');
  });

  test('a localhost server of the pool is probed on this machine: the gpuPolicy holds there too', async ({
    dir,
  }) => {
    const plan = {
      servers: [
        { name: 'here', host: 'localhost', gpus: [0, 1], env: await busyGpus(dir, 'here', [1]) },
      ],
      gpuPolicy: { maxUtilizationPercent: 50 },
      runs: [1, 2, 3].map((index) => ({ id: `local/run_${index}`, command: markJob(100) })),
    };
    const executor = await sshExecutor(await writeSshPlan(dir, plan), {
      local: { execCommand: await execCommand(), standbyEntry: (await entryBundles()).standby },
    });
    const { result, records } = await runSshPlan(dir, plan, { executor });
    expect(result.exitCode).toBe(0);
    // GPU 1 is busy by this machine's (fake) nvidia-smi: every run went to GPU 0.
    for (const record of records.values())
      expect(record).toMatchObject({ server: 'here', gpus: [0], status: 'succeeded' });
  });
});
