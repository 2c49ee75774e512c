import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { registerLauncher } from '@runboard/launcher';
import { makeTempDir, removeTempDir } from '@runboard/test-kit';
import { runRecord, writeLog, writeMetrics, writeRecord } from './run-folders.js';

const SLEEP = ['/usr/bin/sleep', '/bin/sleep'].find((path) => existsSync(path)) ?? 'sleep';

/** The sweep of {@link writeDemoSweep}, with what it started. */
export interface DemoSweep {
  /** How many runs it wrote. */
  runCount: number;
  /** The running runs, whose jobs are on GPUs 0–3 in this order. */
  runningIds: string[];
  /** The GPU scenario for test-kit's `FAKE_NVIDIA_SMI` (`FAKE_NVIDIA_SMI_SCENARIO`). */
  scenario: string;
  /** Stops the stand-in jobs and removes the scenario and their program. */
  stop: () => Promise<void>;
}

/**
 * A sweep as users meet it, written under `root`: twelve runs in every state, metrics, a log
 * with a tqdm bar, and five simulated busy H200s whose processes are the running runs' jobs.
 * Each job is a real process of this host named `python` (`sleep` through a link of that
 * name, which is what Linux reports as its command name), so the dashboard labels "its" GPU
 * process with the run the way it does for a real job. Call `stop()` when done.
 *
 * @example
 * const demo = await writeDemoSweep(root);
 * process.env['FAKE_NVIDIA_SMI_SCENARIO'] = demo.scenario;
 */
export async function writeDemoSweep(root: string, now = Date.now()): Promise<DemoSweep> {
  const scratch = await makeTempDir('runboard-demo-');
  const jobs: ChildProcess[] = [];
  const stop = async () => {
    for (const job of jobs) job.kill('SIGKILL');
    await removeTempDir(scratch);
  };
  const python = join(scratch, 'bin', 'python');
  await mkdir(join(scratch, 'bin'));
  await symlink(SLEEP, python);
  const startStandInJob = async (): Promise<number> => {
    const job = spawn(python, ['600'], { stdio: 'ignore' });
    jobs.push(job);
    await new Promise<void>((resolve, reject) => {
      job.once('spawn', resolve);
      job.once('error', reject);
    });
    return job.pid!;
  };
  try {
    const { gpus, runCount } = await writeDemoRuns(root, now, startStandInJob);
    const scenario = join(scratch, 'gpus.json');
    await writeFile(scenario, JSON.stringify({ gpus }));
    return { runCount, runningIds: RUNNING_IDS, scenario, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

const RUNNING_IDS = [
  'cdd/Changer-s50_run_2',
  'cdd/Changer-s50_run_3',
  'cdd/Changer-r18_run_1',
  'levir/BiT-r18_run_1',
];

const minutesAgo = (now: number, minutes: number): string =>
  new Date(now - minutes * 60_000).toISOString();

interface DemoGpu {
  utilizationPercent: number;
  memoryUsedMiB: number;
  processes: { pid: number; usedMemoryMiB: number }[];
}

async function writeDemoRuns(
  dir: string,
  now: number,
  startStandInJob: () => Promise<number>,
): Promise<{ gpus: DemoGpu[]; runCount: number }> {
  const gpus: DemoGpu[] = [];
  // GPU memory in MiB of the job on each GPU; the CUDA context adds a little for the GPU.
  const jobMemoryMiB = [118_034, 96_870, 64_412, 131_020];
  const utilization = [97, 94, 88, 99];
  const running = async (
    id: string,
    current: number,
    eta: number,
    gpu: number,
    minutes: number,
    loss: number,
  ) => {
    const pid = await startStandInJob();
    gpus[gpu] = {
      utilizationPercent: utilization[gpu],
      memoryUsedMiB: jobMemoryMiB[gpu] + 412,
      processes: [{ pid, usedMemoryMiB: jobMemoryMiB[gpu] }],
    };
    return runRecord(
      id,
      {
        host: hostname(),
        supervisorPid: null,
        pid,
        gpus: [gpu],
        startedAt: minutesAgo(now, minutes),
        progress: { current, total: 100, unit: 'epoch', percent: current, etaSeconds: eta },
        metrics: { loss, val_acc: 0.9 - loss / 4 },
      },
      now,
    );
  };
  // The stalled run's GPU sits idle, as the real H200 was when captured (0 MiB, 0 %).
  gpus[4] = { utilizationPercent: 0, memoryUsedMiB: 0, processes: [] };
  const records = [
    await running(RUNNING_IDS[0], 64, 1460, 0, 52, 0.31),
    await running(RUNNING_IDS[1], 41, 2710, 1, 34, 0.52),
    await running(RUNNING_IDS[2], 88, 390, 2, 71, 0.22),
    await running(RUNNING_IDS[3], 17, 5120, 3, 12, 0.94),
    runRecord(
      'levir/BiT-r50_run_2',
      {
        gpus: [4],
        heartbeatAt: minutesAgo(now, 6),
        updatedAt: minutesAgo(now, 6),
        progress: { current: 23, total: 100, unit: 'epoch', percent: 23, etaSeconds: 4000 },
      },
      now,
    ),
    runRecord(
      'levir/BiT-r50_run_1',
      {
        status: 'failed',
        attempt: 2,
        gpus: [4],
        exitCode: 1,
        error: 'exited with code 1',
        errorTail: [
          '  File "train.py", line 88, in train_step',
          '    loss.backward()',
          'torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.50 GiB',
        ],
        finishedAt: minutesAgo(now, 9),
        updatedAt: minutesAgo(now, 9),
        progress: { current: 3, total: 100, unit: 'epoch', percent: 3 },
      },
      now,
    ),
    ...[1, 2, 3].map((n) =>
      runRecord(
        `cdd/Changer-s50_run_${n === 1 ? 1 : n + 3}`,
        {
          status: 'succeeded',
          attempt: n === 2 ? 2 : 1,
          finishedAt: minutesAgo(now, 20 + n * 17),
          updatedAt: minutesAgo(now, 20 + n * 17),
          progress: { current: 100, total: 100, unit: 'epoch', percent: 100 },
        },
        now,
      ),
    ),
    ...[2, 3, 4].map((n) =>
      runRecord(
        `levir/BiT-r18_run_${n}`,
        {
          status: 'queued',
          startedAt: null,
          heartbeatAt: null,
          gpus: null,
          updatedAt: minutesAgo(now, 75),
          waiting:
            n === 4 ? { reason: 'dependency', detail: 'levir/BiT-r18_run_2' } : { reason: 'slot' },
        },
        now,
      ),
    ),
  ];
  for (const record of records) await writeRecord(dir, record);
  // The calling process stands for the sweep's launcher: the queued runs' reasons hold.
  const startedAt = minutesAgo(now, 80);
  await registerLauncher(dir, {
    host: hostname(),
    pid: process.pid,
    startedAt,
    heartbeatAt: new Date(now).toISOString(),
    plan: 'sweep.json',
  });
  await writeMetrics(dir, RUNNING_IDS[0], 64, now, 7);
  const log: string[] = [];
  for (let epoch = 55; epoch <= 64; epoch += 1) {
    const loss = (0.42 - (epoch - 55) * 0.011).toFixed(4);
    log.push(
      `[2026-03-14 10:${String(epoch - 20).padStart(2, '0')}:12] epoch ${epoch}/100  train_loss=${loss}  lr=2.0e-04`,
    );
    log.push(
      `[2026-03-14 10:${String(epoch - 20).padStart(2, '0')}:58] eval  val_acc=${(0.86 + (epoch - 55) * 0.002).toFixed(4)}  val_iou=${(0.79 + (epoch - 55) * 0.003).toFixed(4)}`,
    );
  }
  log.push('##runboard {"current": 64, "total": 100, "unit": "epoch"}');
  log.push(
    ' 37%|███▋      | 186/500 [00:41<01:09,  4.52it/s]\r 38%|███▊      | 190/500 [00:42<01:08,  4.53it/s]',
  );
  await writeLog(dir, RUNNING_IDS[0], `${log.join('\n')}\n`);
  return { gpus, runCount: records.length };
}
