import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startDashboardServer } from '@runboard/dashboard-api';
import type { DashboardServer } from '@runboard/dashboard-api';
import { WEB_ENTRY_SCRIPT, webAssetsDir } from '../src/index.js';
import { launchHeadlessChromium } from './support/browser.js';
import type { HeadlessBrowser } from './support/browser.js';
import { runRecord, writeLog, writeMetrics, writeRecord } from './support/run-folders.js';

const OUTPUT_DIR = join(import.meta.dirname, '..', 'test-output');
const DOCS_DIR = join(import.meta.dirname, '..', '..', '..', 'docs');
/** Answers like a real H200's nvidia-smi, with the scenario's simulated load (see the file). */
const FAKE_NVIDIA_SMI = join(import.meta.dirname, 'fixtures', 'fake-nvidia-smi.mjs');
const SLEEP = ['/usr/bin/sleep', '/bin/sleep'].find((path) => existsSync(path)) ?? 'sleep';

let browser: HeadlessBrowser | undefined;
let server: DashboardServer | undefined;
let root: string | undefined;
/** Scratch space outside the run root: the GPU scenario and the stand-in jobs' program. */
let scratch: string | undefined;
const jobs: ChildProcess[] = [];

beforeAll(async () => {
  if (!existsSync(join(webAssetsDir, WEB_ENTRY_SCRIPT))) {
    throw new Error(`${WEB_ENTRY_SCRIPT} is missing in ${webAssetsDir}: build @runboard/web first`);
  }
  root = await mkdtemp(join(tmpdir(), 'runboard-screenshot-'));
  scratch = await mkdtemp(join(tmpdir(), 'runboard-screenshot-scratch-'));
  browser = await launchHeadlessChromium();
}, 45_000);

afterAll(async () => {
  for (const job of jobs) job.kill('SIGKILL');
  delete process.env['FAKE_NVIDIA_SMI_SCENARIO'];
  await server?.close();
  await browser?.close();
  if (root) await rm(root, { recursive: true, force: true, maxRetries: 3 });
  if (scratch) await rm(scratch, { recursive: true, force: true, maxRetries: 3 });
}, 30_000);

/**
 * Starts a stand-in for a training job: a real process of this host named `python` (`sleep`
 * through a link of that name, which is what Linux reports as its command name), so the
 * dashboard labels "its" GPU process with the run the way it does for a real job.
 */
async function startStandInJob(): Promise<number> {
  const python = join(scratch!, 'bin', 'python');
  if (!existsSync(python)) {
    await mkdir(join(scratch!, 'bin'), { recursive: true });
    await symlink(SLEEP, python);
  }
  const job = spawn(python, ['600'], { stdio: 'ignore' });
  jobs.push(job);
  await new Promise<void>((resolve, reject) => {
    job.once('spawn', resolve);
    job.once('error', reject);
  });
  return job.pid!;
}

const minutesAgo = (now: number, minutes: number): string =>
  new Date(now - minutes * 60_000).toISOString();

interface DemoGpu {
  utilizationPercent: number;
  memoryUsedMiB: number;
  processes: { pid: number; usedMemoryMiB: number }[];
}

/**
 * A sweep as users meet it: runs in every state, metrics, a log, and five simulated busy
 * H200s (see `fixtures/fake-nvidia-smi.mjs`) whose processes are the running runs' jobs.
 * Returns the GPU scenario.
 */
async function writeDemoRuns(dir: string, now: number): Promise<DemoGpu[]> {
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
    await running('cdd/Changer-s50_run_2', 64, 1460, 0, 52, 0.31),
    await running('cdd/Changer-s50_run_3', 41, 2710, 1, 34, 0.52),
    await running('cdd/Changer-r18_run_1', 88, 390, 2, 71, 0.22),
    await running('levir/BiT-r18_run_1', 17, 5120, 3, 12, 0.94),
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
        error: 'RuntimeError: CUDA out of memory (tried to allocate 2.50 GiB)',
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
        },
        now,
      ),
    ),
  ];
  for (const record of records) await writeRecord(dir, record);
  await writeMetrics(dir, 'cdd/Changer-s50_run_2', 64, now, 7);
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
  await writeLog(dir, 'cdd/Changer-s50_run_2', `${log.join('\n')}\n`);
  return gpus;
}

test('a screenshot of the dashboard for the docs', async () => {
  const now = Date.now();
  const gpus = await writeDemoRuns(root!, now);
  const scenario = join(scratch!, 'gpus.json');
  await writeFile(scenario, JSON.stringify({ gpus }));
  // nvidia-smi runs as a child of this process: the stand-in finds its scenario here.
  process.env['FAKE_NVIDIA_SMI_SCENARIO'] = scenario;
  server = await startDashboardServer({
    root: root!,
    port: 0,
    staticDir: webAssetsDir,
    token: 'screenshot',
    resources: { nvidiaSmiCommand: FAKE_NVIDIA_SMI },
  });
  const page = await browser!.context.newPage();
  try {
    await page.setViewportSize({ width: 1440, height: 1060 });
    await page.goto(`${server.url}#token=screenshot`);
    await expect
      .poll(() => page.locator('#runs-body tr.run-row').count(), { timeout: 10_000 })
      .toBe(12);
    await page.locator('#runs-body tr[data-run-id="cdd/Changer-s50_run_2"]').click();
    await expect
      .poll(() => page.locator('#detail-plots figure').count(), { timeout: 10_000 })
      .toBe(2);
    await expect.poll(() => page.locator('#gpu-body tr').count(), { timeout: 10_000 }).toBe(5);
    expect(await page.locator('#gpu-body .gpu-name').first().innerText()).toBe('NVIDIA H200');
    // Each busy GPU's process is labelled with its run.
    expect(
      await page
        .locator('#gpu-body .run-link')
        .evaluateAll((links) => links.map((link) => link.textContent)),
    ).toEqual([
      'cdd/Changer-s50_run_2',
      'cdd/Changer-s50_run_3',
      'cdd/Changer-r18_run_1',
      'levir/BiT-r18_run_1',
    ]);
    expect(await page.locator('#gpu-body .process-detail').first().innerText()).toMatch(
      /^python \d+ · 115\.3 GiB$/,
    );
    await expect.poll(() => page.locator('#detail-log').innerText()).toContain('190/500');
    // Let the bars finish their transition.
    await page.waitForTimeout(900);

    await mkdir(OUTPUT_DIR, { recursive: true });
    const lightPath = join(OUTPUT_DIR, 'dashboard.png');
    await page.screenshot({ path: lightPath, animations: 'disabled' });
    // The README's picture is refreshed on request only, so a test run leaves the checkout clean.
    if (process.env.RUNBOARD_UPDATE_DOCS === '1') {
      await mkdir(DOCS_DIR, { recursive: true });
      await copyFile(lightPath, join(DOCS_DIR, 'dashboard.png'));
    }
    expect((await stat(lightPath)).size).toBeGreaterThan(20_000);

    await page.emulateMedia({ colorScheme: 'dark' });
    await page.waitForTimeout(300);
    await page.screenshot({ path: join(OUTPUT_DIR, 'dashboard-dark.png'), animations: 'disabled' });
  } finally {
    await page.close();
  }
});
